package io.microchatbot.llm;

import java.util.List;

/**
 * A whole reply: text, or the {@code toolCalls} the model asks for (then usually with finish reason
 * {@code tool_calls}). {@code usage} is null when the provider reported none; {@code attempts} counts every call it
 * took, retries and fallback models included.
 */
public record LlmCompletion(String content, List<ToolCall> toolCalls, String model, String provider,
        String finishReason, LlmUsage usage, int attempts) {

    public LlmCompletion {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public LlmCompletion(String content, String model, String provider, String finishReason, LlmUsage usage,
            int attempts) {
        this(content, List.of(), model, provider, finishReason, usage, attempts);
    }

    /** The same reply, charged {@code total} (a repaired reply pays for its refused attempts too). */
    public LlmCompletion withUsage(LlmUsage total) {
        return new LlmCompletion(content, toolCalls, model, provider, finishReason, total, attempts);
    }

    public LlmCompletion withAttempts(int count) {
        return new LlmCompletion(content, toolCalls, model, provider, finishReason, usage, count);
    }
}
