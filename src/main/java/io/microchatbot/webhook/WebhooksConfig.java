package io.microchatbot.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Outgoing webhooks (docs/webhooks.md). Every key can be set by environment variable
 * ({@code chatbot.webhooks.max-attempts} is {@code CHATBOT_WEBHOOKS_MAX_ATTEMPTS}).
 */
@ConfigMapping(prefix = "chatbot.webhooks")
public interface WebhooksConfig {

    /** False: this replica neither reads events nor sends deliveries; the API still manages webhooks. */
    @WithDefault("true")
    boolean enabled();

    /** The stream the outbox relay publishes every event to. */
    @WithDefault("chatbot.events")
    String stream();

    /** The topic the outbox relay publishes every event to when Kafka is the transport. */
    @WithDefault("chatbot.events")
    String topic();

    /** The consumer group reading it; every replica is one consumer of it. */
    @WithDefault("chatbot-webhooks")
    String group();

    /** Stream entries read at once, and deliveries claimed at once. */
    @WithDefault("100")
    int batch();

    /** How often each replica looks for due deliveries (sooner while there is a backlog). */
    @WithDefault("1s")
    Duration pollInterval();

    /** Deliveries one replica sends at once. */
    @WithDefault("32")
    int concurrency();

    /** One attempt, from resolving the host to the response's status: longer is a failed attempt. */
    @WithDefault("10s")
    Duration timeout();

    /** Wait after the first failed attempt; it doubles with each further one, up to retry-max-delay. */
    @WithDefault("1m")
    Duration retryBaseDelay();

    @WithDefault("1h")
    Duration retryMaxDelay();

    /** Attempts before a delivery is given up as failed (a redelivery starts a fresh series). */
    @WithDefault("8")
    int maxAttempts();

    /**
     * Hosts that may be private, loopback or link-local after all, as written in the webhook's URL (a name, or an
     * IP address). Empty: none.
     */
    Optional<List<String>> allowedPrivateHosts();

    /** Webhooks one tenant may register: each one multiplies the deliveries of every event. */
    @WithDefault("20")
    int maxPerTenant();

    /** A stream entry left unacknowledged this long by a consumer (its pod died) is taken over by another one. */
    @WithDefault("60s")
    Duration reclaimAfter();

    /** While Redis or PostgreSQL fails, the event reader waits 1 s, doubling up to this, between tries. */
    @WithDefault("30s")
    Duration readRetryMaxDelay();
}
