package io.microchatbot.llm;

import java.util.List;

/**
 * How a reply is sampled. {@code maxTokens} and {@code temperature} always hold a value (the configured defaults
 * when the caller gave none); the others are sent only when set.
 */
public record Sampling(int maxTokens, double temperature, Double topP, List<String> stop, Long seed, String user) {

    public static Sampling of(int maxTokens, double temperature) {
        return new Sampling(maxTokens, temperature, null, null, null, null);
    }
}
