package io.microchatbot.llm;

import java.util.Optional;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

/**
 * The provider failed; the code says how ({@code llm_timeout}, {@code llm_rate_limited}, ...). {@link #retryable()}
 * says whether trying again can help (connect errors, timeouts, 429 and 5xx can; other 4xx and malformed replies
 * cannot), and {@link #upstreamRetryAfterSeconds()} carries the provider's own Retry-After, when it sent one.
 */
public class LlmException extends ApiException {

    private final boolean retryable;
    private final Integer upstreamRetryAfterSeconds;

    public LlmException(ErrorCode code, String detail, Integer retryAfterSeconds, boolean retryable,
            Integer upstreamRetryAfterSeconds) {
        super(code, detail, retryAfterSeconds);
        this.retryable = retryable;
        this.upstreamRetryAfterSeconds = upstreamRetryAfterSeconds;
    }

    public static LlmException timeout(String what) {
        return new LlmException(ErrorCode.llm_timeout, what, null, true, null);
    }

    /** A reply we cannot use, or a request the provider refuses as such: the same call would fail again. */
    public static LlmException badResponse(String detail) {
        return new LlmException(ErrorCode.llm_bad_response, detail, null, false, null);
    }

    public static LlmException unavailable(String detail, Integer retryAfterSeconds) {
        return new LlmException(ErrorCode.llm_unavailable, detail, retryAfterSeconds, true, null);
    }

    /** The provider refuses our credentials: nothing but a configuration change helps. */
    public static LlmException refused(String detail, Integer retryAfterSeconds) {
        return new LlmException(ErrorCode.llm_unavailable, detail, retryAfterSeconds, false, null);
    }

    public boolean retryable() {
        return retryable;
    }

    public Optional<Integer> upstreamRetryAfterSeconds() {
        return Optional.ofNullable(upstreamRetryAfterSeconds);
    }
}
