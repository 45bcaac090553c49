package io.microchatbot.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Message;

/**
 * A message as existing clients read it. The field list is a contract: how a reply ended ({@code status}), its
 * model, usage and latency are in {@code metadata}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MessageView(
        UUID id,
        UUID conversationId,
        String userId,
        String content,
        String messageType,
        @JsonRawValue String metadata,
        Instant createdAt,
        Instant updatedAt) {

    public static MessageView of(Message m) {
        return new MessageView(m.id, m.conversationId, m.userId, m.content, m.messageType.name(), m.metadata,
                m.createdAt, m.updatedAt);
    }
}
