package io.microchatbot.rest.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;

import io.microchatbot.Message;

/**
 * A message as existing clients read it. The field list is a contract: how a reply ended ({@code status}), its
 * model, usage and latency are in {@code metadata}.
 */
public record MessageView(
        UUID id,
        UUID conversation_id,
        String user_id,
        String content,
        String message_type,
        @JsonRawValue String metadata,
        Instant created_at,
        Instant updated_at) {

    public static MessageView of(Message m) {
        return new MessageView(m.id, m.conversationId, m.userId, m.content, m.messageType.name(), m.metadata,
                m.createdAt, m.updatedAt);
    }
}
