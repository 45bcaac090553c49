package io.microchatbot.llm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function the model may call: its name, what it does, and the JSON Schema of its arguments ({@code parameters}
 * null: none). {@code strict} asks providers that support it to keep the arguments to the schema.
 */
public record Tool(String name, String description, JsonNode parameters, Boolean strict) {
}
