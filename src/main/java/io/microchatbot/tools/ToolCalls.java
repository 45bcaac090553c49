package io.microchatbot.tools;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.llm.ToolCall;

/**
 * Tool calls as a stored message keeps them: a JSON array of {@code {id, name, arguments}}, null when there are
 * none, so that a reply without calls costs nothing.
 */
public final class ToolCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<ToolCall>> LIST = new TypeReference<>() {
    };

    private ToolCalls() {
    }

    public static String toJson(List<ToolCall> calls) {
        if (calls == null || calls.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(calls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Tool calls could not be written as JSON", e);
        }
    }

    public static List<ToolCall> fromJson(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored tool calls are not a JSON array of calls", e);
        }
    }
}
