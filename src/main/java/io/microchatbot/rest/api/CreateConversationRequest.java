package io.microchatbot.rest.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** Body of {@code POST /api/v1/conversations}; every field is optional. */
public record CreateConversationRequest(
        String title,
        @JsonProperty("system_prompt") String systemPrompt,
        String model,
        JsonNode metadata) {
}
