package io.microchatbot.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Conversation;

/** A conversation as the API shows it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConversationView(
        UUID id,
        String title,
        String systemPrompt,
        String model,
        @JsonRawValue String metadata,
        long messageCount,
        Instant createdAt,
        Instant updatedAt) {

    public static ConversationView of(Conversation c) {
        return new ConversationView(c.id, c.title, c.systemPrompt, c.model, c.metadata, c.messageCount, c.createdAt,
                c.updatedAt);
    }
}
