package io.microchatbot.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.llm.LlmUsage;

/**
 * What a provider call cost, from {@code chatbot.usage.prices}: prices are per million tokens, so a token costs the
 * price in micro-units of the currency, exactly. A reply's cost is rounded once, half up, to a whole micro-unit.
 */
@ApplicationScoped
public class Pricing {

    private final UsageConfig config;

    Pricing(UsageConfig config) {
        this.config = config;
    }

    /** The price of {@code model} at {@code provider}: its own entry, else the provider's {@code *} entry. */
    public Optional<UsageConfig.Price> price(String provider, String model) {
        UsageConfig.Price own = config.prices().get(provider + "/" + model);
        return own != null ? Optional.of(own) : Optional.ofNullable(config.prices().get(provider + "/*"));
    }

    /**
     * Micro-units of the currency; empty when the model has no price. Cached prompt tokens are priced at the cached
     * price (the prompt price when there is none), the rest of the prompt at the prompt price.
     */
    public Optional<Long> costMicros(String provider, String model, LlmUsage usage) {
        return price(provider, model).map(price -> costMicros(price, usage));
    }

    static long costMicros(UsageConfig.Price price, LlmUsage usage) {
        int cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        BigDecimal cost = price.prompt().multiply(BigDecimal.valueOf(usage.promptTokens() - cached))
                .add(price.cachedPrompt().orElse(price.prompt()).multiply(BigDecimal.valueOf(cached)))
                .add(price.completion().multiply(BigDecimal.valueOf(usage.completionTokens())));
        return cost.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** Micro-units as an amount of the currency, e.g. 1234 as 0.001234. */
    public static BigDecimal amount(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    /** An amount of the currency in micro-units (rounded half up). */
    public static long micros(BigDecimal amount) {
        return amount.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    public String currency() {
        return config.currency();
    }
}
