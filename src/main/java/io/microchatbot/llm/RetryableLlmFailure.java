package io.microchatbot.llm;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Whether one more attempt of the same model can help: connect errors, timeouts, 429 and 5xx, but not when the
 * provider asked us to wait longer than we are willing to (then the caller, or the next model, gets it at once).
 */
final class RetryableLlmFailure implements Predicate<Throwable> {

    private final long maxRetryAfterSeconds;

    RetryableLlmFailure(Duration maxRetryAfter) {
        this.maxRetryAfterSeconds = maxRetryAfter.toSeconds();
    }

    @Override
    public boolean test(Throwable failure) {
        return failure instanceof LlmException llm
                && llm.retryable()
                && llm.upstreamRetryAfterSeconds().map(seconds -> seconds <= maxRetryAfterSeconds).orElse(true);
    }
}
