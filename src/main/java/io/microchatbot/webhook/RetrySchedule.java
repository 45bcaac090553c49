package io.microchatbot.webhook;

import java.time.Duration;

/**
 * When a failed delivery is tried again: {@code retry-base-delay × 2^(attempts - 1)}, at most
 * {@code retry-max-delay}; after {@code max-attempts} attempts it is given up.
 */
final class RetrySchedule {

    private final Duration base;
    private final Duration max;
    private final int maxAttempts;

    RetrySchedule(WebhooksConfig config) {
        this(config.retryBaseDelay(), config.retryMaxDelay(), config.maxAttempts());
    }

    RetrySchedule(Duration base, Duration max, int maxAttempts) {
        this.base = base;
        this.max = max;
        this.maxAttempts = maxAttempts;
    }

    /** True when {@code attempts} failed attempts are all a delivery gets. */
    boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** The wait after the {@code attempts}-th failed attempt. */
    Duration delayAfter(int attempts) {
        int doublings = Math.max(0, attempts - 1);
        if (doublings >= 62 || base.toMillis() > max.toMillis() >> doublings) {
            return max;
        }
        return Duration.ofMillis(base.toMillis() << doublings);
    }
}
