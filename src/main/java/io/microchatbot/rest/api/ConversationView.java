package io.microchatbot.rest.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;

import io.microchatbot.Conversation;

/** A conversation as the API shows it. */
public record ConversationView(
        UUID id,
        String title,
        String system_prompt,
        String model,
        @JsonRawValue String metadata,
        long message_count,
        Instant created_at,
        Instant updated_at) {

    public static ConversationView of(Conversation c) {
        return new ConversationView(c.id, c.title, c.systemPrompt, c.model, c.metadata, c.messageCount, c.createdAt,
                c.updatedAt);
    }
}
