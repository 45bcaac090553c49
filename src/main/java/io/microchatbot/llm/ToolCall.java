package io.microchatbot.llm;

/**
 * A function the model asks the caller to run: {@code arguments} is the JSON text the model wrote, kept as it
 * came so that the caller parses exactly what the model said.
 */
public record ToolCall(String id, String name, String arguments) {
}
