package io.microchatbot.llm;

import java.time.Duration;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Exponential backoff (doubling from the initial delay up to a maximum; Fault Tolerance adds the jitter), except
 * that a provider's own Retry-After is waited for instead when it sent one.
 */
final class RetryAfterBackoff implements CustomBackoffStrategy {

    private final long maxDelayMillis;
    private long nextMillis;

    RetryAfterBackoff(Duration maxDelay) {
        this.maxDelayMillis = maxDelay.toMillis();
    }

    @Override
    public void init(long initialDelayInMillis) {
        nextMillis = initialDelayInMillis;
    }

    @Override
    public long nextDelayInMillis(Throwable cause) {
        long exponential = nextMillis;
        nextMillis = Math.min(nextMillis * 2, maxDelayMillis);
        if (cause instanceof LlmException llm && llm.upstreamRetryAfterSeconds().isPresent()) {
            return llm.upstreamRetryAfterSeconds().get() * 1000L;
        }
        return exponential;
    }
}
