package io.microchatbot.api;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Message;
import io.microchatbot.service.Page;

/** {@code GET …/messages}: the page, the conversation's message count, and the cursor of the next page. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MessagePageView(List<MessageView> messages, long totalCount, boolean hasMore, String nextCursor) {

    public static MessagePageView of(Page<Message> page) {
        return new MessagePageView(page.items().stream().map(MessageView::of).toList(), page.totalCount(),
                page.hasMore(), page.nextCursor());
    }
}
