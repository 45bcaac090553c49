package io.microchatbot.api;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Conversation;
import io.microchatbot.service.Page;

/** {@code GET /api/v1/conversations}: newest first. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConversationPageView(List<ConversationView> conversations, boolean hasMore, String nextCursor) {

    public static ConversationPageView of(Page<Conversation> page) {
        return new ConversationPageView(page.items().stream().map(ConversationView::of).toList(), page.hasMore(),
                page.nextCursor());
    }
}
