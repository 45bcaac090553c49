package io.microchatbot.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Conversation;
import io.microchatbot.generation.GenerationJson;

/** A conversation as the API shows it; its turns' defaults (tools, tool_choice, response_format) only when set. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConversationView(
        UUID id,
        String title,
        String systemPrompt,
        String model,
        @JsonRawValue String metadata,
        long messageCount,
        Instant createdAt,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode tools,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode toolChoice,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode responseFormat) {

    public static ConversationView of(Conversation c) {
        ObjectNode defaults = c.generation == null ? null : GenerationJson.toNode(GenerationJson.fromJson(c.generation));
        return new ConversationView(c.id, c.title, c.systemPrompt, c.model, c.metadata, c.messageCount, c.createdAt,
                c.updatedAt, member(defaults, "tools"), member(defaults, "tool_choice"),
                member(defaults, "response_format"));
    }

    private static JsonNode member(ObjectNode defaults, String name) {
        return defaults == null ? null : defaults.get(name);
    }
}
