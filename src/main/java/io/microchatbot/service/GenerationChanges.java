package io.microchatbot.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.generation.GenerationJson;
import io.microchatbot.generation.GenerationOptions;

/**
 * A patch of a conversation's turn defaults: each of tools, tool_choice and response_format is kept, replaced
 * whole (never merged member by member: a new response format is not the old one plus some fields) or cleared.
 * {@code replacement} holds the validated new values of the changed members.
 */
public record GenerationChanges(Change<JsonNode> tools, Change<JsonNode> toolChoice, Change<JsonNode> responseFormat,
        GenerationOptions replacement) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stored defaults (JSON text or null) once changed; null when none are left. */
    String applyTo(String stored) {
        ObjectNode current = stored == null ? JSON.createObjectNode()
                : GenerationJson.toNode(GenerationJson.fromJson(stored));
        ObjectNode given = GenerationJson.toNode(replacement);
        apply(current, "tools", tools, given);
        apply(current, "tool_choice", toolChoice, given);
        apply(current, "response_format", responseFormat, given);
        return current.isEmpty() ? null : current.toString();
    }

    private static void apply(ObjectNode current, String member, Change<JsonNode> change, ObjectNode given) {
        if (!change.given()) {
            return;
        }
        if (change.value() == null || change.value().isNull()) {
            current.remove(member);
        } else {
            current.set(member, given.get(member));
        }
    }
}
