package io.microchatbot.rest.api;

import java.util.List;

import io.microchatbot.Conversation;
import io.microchatbot.service.Page;

/** {@code GET /api/v1/conversations}: newest first. */
public record ConversationPageView(List<ConversationView> conversations, boolean has_more, String next_cursor) {

    public static ConversationPageView of(Page<Conversation> page) {
        return new ConversationPageView(page.items().stream().map(ConversationView::of).toList(), page.hasMore(),
                page.nextCursor());
    }
}
