package io.microchatbot.generation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.microchatbot.llm.Sampling;

/**
 * Per-turn generation parameters as the caller gave them; null means "the configured default". Validated at the
 * edge (ranges) and, for {@code model}, against the caller's allow-list before anything is stored.
 */
public record Parameters(String model, Double temperature, Double topP, Integer maxTokens, List<String> stop,
        Long seed, String user) {

    public static final Parameters NONE = new Parameters(null, null, null, null, null, null, null);

    @JsonIgnore
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The sampling the provider is asked for: these parameters over the configured defaults. */
    public Sampling sampling(int defaultMaxTokens, double defaultTemperature) {
        return new Sampling(maxTokens != null ? maxTokens : defaultMaxTokens,
                temperature != null ? temperature : defaultTemperature, topP,
                stop == null || stop.isEmpty() ? null : stop, seed, user);
    }
}
