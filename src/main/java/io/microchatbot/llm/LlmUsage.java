package io.microchatbot.llm;

/** Token usage as reported by the provider. */
public record LlmUsage(int promptTokens, int completionTokens, int totalTokens) {

    /** Both together; null when neither was reported, one of them when only it was. */
    public static LlmUsage sum(LlmUsage a, LlmUsage b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return new LlmUsage(a.promptTokens + b.promptTokens, a.completionTokens + b.completionTokens,
                a.totalTokens + b.totalTokens);
    }
}
