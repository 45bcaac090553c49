package io.microchatbot.llm;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A function the model asks the caller to run: {@code arguments} is the JSON text the model wrote, kept as it
 * came so that the caller parses exactly what the model said. Stored as JSON (tools.ToolCalls), hence registered
 * for reflection.
 */
@RegisterForReflection
public record ToolCall(String id, String name, String arguments) {
}
