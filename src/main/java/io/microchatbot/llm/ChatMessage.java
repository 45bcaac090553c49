package io.microchatbot.llm;

import java.util.List;

/**
 * One entry of the prompt, in the provider's role vocabulary ({@code system}, {@code user}, {@code assistant},
 * {@code tool}). An assistant entry may carry the {@code toolCalls} it made (its content may then be empty); a
 * {@code tool} entry answers the call {@code toolCallId}.
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }

    public ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }
}
