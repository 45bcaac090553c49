package io.microchatbot.ratelimit;

import java.time.Duration;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Token buckets in Redis shared by every replica. A turn takes one token of the caller's and the tenant's turn
 * buckets; any other API call one token of their read buckets.
 */
@ConfigMapping(prefix = "chatbot.rate-limit")
public interface RateLimitConfig {
    @WithDefault("true")
    boolean enabled();

    /** Turns per second refilled into each caller's bucket. */
    @WithDefault("1")
    double rate();

    /** Turns a caller may send in a burst. */
    @WithDefault("10")
    int capacity();

    /** Other API calls (reads, conversation changes) per second per caller. */
    @WithDefault("20")
    double readRate();

    @WithDefault("100")
    int readCapacity();

    /** Turns per second per tenant, all its callers together. */
    @WithDefault("20")
    double tenantRate();

    @WithDefault("200")
    int tenantCapacity();

    /** Other API calls per second per tenant. */
    @WithDefault("200")
    double tenantReadRate();

    @WithDefault("1000")
    int tenantReadCapacity();

    /**
     * LLM tokens (prompt + completion, as the provider reports them) a tenant may use per minute; a turn is
     * refused while the tenant's budget is spent. Absent: no budget.
     */
    OptionalInt tenantTokensPerMinute();

    /** Turns one caller may have running at once, across replicas. */
    @WithDefault("4")
    int maxConcurrentTurns();

    /**
     * A running turn's place among its caller's concurrent turns is held for this long and renewed while it
     * runs: a pod that dies mid-turn frees the place after it.
     */
    @WithDefault("30s")
    Duration turnLease();

    /**
     * Redis unreachable: true limits each pod by a local bucket with the settings above divided by
     * chatbot.rate-limit.replicas; false lets every request through (counted and logged). Never fails closed.
     */
    @WithDefault("true")
    boolean localFallback();

    /** Replicas sharing the limits, used to size the local fallback buckets. */
    @WithDefault("1")
    int replicas();
}
