package io.microchatbot.llm;

/**
 * A whole reply. {@code usage} is null when the provider reported none; {@code attempts} counts every call it took,
 * retries and fallback models included.
 */
public record LlmCompletion(String content, String model, String provider, String finishReason, LlmUsage usage,
        int attempts) {

    public LlmCompletion withAttempts(int count) {
        return new LlmCompletion(content, model, provider, finishReason, usage, count);
    }
}
