package io.microchatbot.llm;

/** A whole reply. {@code usage} is null when the provider reported none. */
public record LlmCompletion(String content, String model, String provider, String finishReason, LlmUsage usage) {
}
