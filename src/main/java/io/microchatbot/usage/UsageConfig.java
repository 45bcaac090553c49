package io.microchatbot.usage;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.microchatbot.service.DurationOrOff;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * What provider calls cost, who may spend how much, and how usage is summed. Amounts are decimals in
 * {@link #currency()}, kept exactly (micro-units) wherever they are stored or compared.
 */
@ConfigMapping(prefix = "chatbot.usage")
public interface UsageConfig {

    /** The one currency of every price, budget and cost (ISO 4217 code); the label of the cost metric. */
    @WithDefault("USD")
    String currency();

    /**
     * Prices per million tokens, keyed {@code "<provider>/<model>"} (the provider that answered, the model the call
     * asked for); {@code "<provider>/*"} prices every model of a provider without its own entry. A call whose model
     * has no price costs zero and is counted in {@code chatbot_llm_unpriced_calls_total}: it is never refused.
     */
    Map<String, Price> prices();

    /** Spending limits per tenant, keyed by tenant id. */
    Map<String, Budget> tenants();

    /** Spending limits per API key, keyed by the key's id; they apply on top of its tenant's. */
    Map<String, Budget> apiKeys();

    /**
     * Tenants named in the {@code tenant} label of the usage metrics; every other tenant is {@code other}, so the
     * label never has more than this many values plus one.
     */
    Optional<List<String>> metricTenants();

    /**
     * How often every replica sums new usage rows into {@code usage_hourly}: a duration, or {@code off} (empty here).
     * The {@code @Scheduled} expression of UsageRollup reads the same key; this mapping makes a value that is neither
     * fail at start.
     */
    @WithDefault("1m")
    @WithConverter(DurationOrOff.class)
    Optional<Duration> rollupInterval();

    /**
     * How far behind the present the rollup stays: a row stamped before it may still be committing. Longer than a
     * reply statement can take to commit; what is newer is read from the rows themselves, so answers stay exact.
     */
    @WithDefault("2m")
    Duration rollupLag();

    /** The longest range {@code GET /api/v1/usage} sums in one request. */
    @WithDefault("93d")
    Duration maxRange();

    /** What a million tokens of each kind cost. */
    interface Price {
        BigDecimal prompt();

        BigDecimal completion();

        /** Prompt tokens the provider served from its cache; absent: priced as prompt tokens. */
        Optional<BigDecimal> cachedPrompt();
    }

    /**
     * A spending limit per UTC day and per UTC month. Reaching a soft limit sends one event per period and counts
     * in a metric; a call arriving once a hard limit is reached is refused with {@code 429 budget_exhausted} before
     * the provider is called.
     */
    interface Budget {
        Optional<BigDecimal> daily();

        Optional<BigDecimal> dailySoft();

        Optional<BigDecimal> monthly();

        Optional<BigDecimal> monthlySoft();
    }
}
