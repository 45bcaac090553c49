package io.microchatbot.rest.api;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of {@code POST /api/v1/conversations/{id}/messages}. */
public record SendMessageRequest(String content, JsonNode metadata, Boolean stream) {
}
