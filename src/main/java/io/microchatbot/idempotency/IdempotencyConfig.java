package io.microchatbot.idempotency;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Idempotency keys (chatbot.idempotency.*, docs/api.md#idempotent-requests). */
@ConfigMapping(prefix = "chatbot.idempotency")
public interface IdempotencyConfig {
    /** How long a key is remembered after its first use; an expired key counts as never used. */
    @WithDefault("24h")
    Duration ttl();

    /**
     * How long a request may hold its key in progress. After this the request is taken as lost (its pod died)
     * and a retry with the same key runs again; keep it above the longest turn (chatbot.turn.lease).
     */
    @WithDefault("10m")
    Duration lockTimeout();

    /** How often expired keys are deleted (read by the scheduler, see IdempotencyCleanup). */
    @WithDefault("10m")
    Duration cleanupInterval();

    /** Retry-After sent with 409 request_in_progress. */
    @WithDefault("2")
    int inProgressRetryAfterSeconds();
}
