package io.microchatbot.generation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.llm.Sampling;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Per-turn generation parameters as the caller gave them; null means "the configured default". Validated at the
 * edge (ranges) and, for {@code model}, against the caller's allow-list before anything is stored. Kept in the
 * reply's metadata as {@code parameters}: snake_case, only what was given.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
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
