package io.microchatbot.llm;

/**
 * Token usage as reported by the provider. {@code cachedTokens} are the part of {@code promptTokens} the provider
 * served from its prompt cache (OpenAI's {@code usage.prompt_tokens_details.cached_tokens}; 0 when not reported).
 */
public record LlmUsage(int promptTokens, int completionTokens, int totalTokens, int cachedTokens) {

    public LlmUsage(int promptTokens, int completionTokens, int totalTokens) {
        this(promptTokens, completionTokens, totalTokens, 0);
    }

    /** Both together; null when neither was reported, one of them when only it was. */
    public static LlmUsage sum(LlmUsage a, LlmUsage b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return new LlmUsage(a.promptTokens + b.promptTokens, a.completionTokens + b.completionTokens,
                a.totalTokens + b.totalTokens, a.cachedTokens + b.cachedTokens);
    }
}
