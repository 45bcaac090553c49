package io.microchatbot.llm;

/** Token usage as reported by the provider. */
public record LlmUsage(int promptTokens, int completionTokens, int totalTokens) {
}
