package io.microchatbot.llm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shape a reply must take: {@code text} (anything), {@code json_object} (one JSON object) or
 * {@code json_schema} (JSON valid against {@code schema}; {@code name} and {@code strict} as OpenAI defines them).
 */
public record ResponseFormat(String type, String name, JsonNode schema, Boolean strict) {

    public static final String TEXT = "text";
    public static final String JSON_OBJECT = "json_object";
    public static final String JSON_SCHEMA = "json_schema";

    /** Whether the reply must be JSON at all. */
    public boolean wantsJson() {
        return JSON_OBJECT.equals(type) || JSON_SCHEMA.equals(type);
    }
}
