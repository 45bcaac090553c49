package io.microchatbot.rest.api;

import java.util.List;

import io.microchatbot.Message;
import io.microchatbot.service.Page;

/** {@code GET …/messages}: the page, the conversation's message count, and the cursor of the next page. */
public record MessagePageView(List<MessageView> messages, long total_count, boolean has_more, String next_cursor) {

    public static MessagePageView of(Page<Message> page) {
        return new MessagePageView(page.items().stream().map(MessageView::of).toList(), page.totalCount(),
                page.hasMore(), page.nextCursor());
    }
}
