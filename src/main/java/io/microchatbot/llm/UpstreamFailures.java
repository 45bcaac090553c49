package io.microchatbot.llm;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.microchatbot.problem.ErrorCode;

/**
 * Turns what went wrong upstream into the problem our caller sees. Upstream bodies are never echoed: they can quote our key.
 */
final class UpstreamFailures {

    static final int DEFAULT_RETRY_AFTER_SECONDS = 5;
    static final int MAX_RETRY_AFTER_SECONDS = 120;

    private UpstreamFailures() {
    }

    static LlmException forStatus(int status, String retryAfterHeader) {
        Integer upstreamSaid = retryAfterHeader == null || retryAfterHeader.isBlank() ? null
                : retryAfterSeconds(retryAfterHeader);
        int retryAfter = retryAfterSeconds(retryAfterHeader);
        return switch (status) {
            case 429 -> new LlmException(ErrorCode.llm_rate_limited, "The LLM provider is rate limiting this service",
                    retryAfter, true, upstreamSaid);
            case 408 -> LlmException.timeout("The LLM provider timed out (408)");
            case 401, 403 -> LlmException.refused(
                    "The LLM provider refused this service's credentials (" + status + ")", DEFAULT_RETRY_AFTER_SECONDS);
            case 500, 502, 503, 504 -> new LlmException(ErrorCode.llm_unavailable,
                    "The LLM provider failed (" + status + ")", retryAfter, true, upstreamSaid);
            default -> LlmException.badResponse("The LLM provider rejected the request (" + status + ")");
        };
    }

    static LlmException forThrowable(Throwable failure) {
        if (failure instanceof LlmException llm) {
            return llm;
        }
        return LlmException.unavailable("Cannot reach the LLM provider (" + failure.getClass().getSimpleName() + ")",
                DEFAULT_RETRY_AFTER_SECONDS);
    }

    /** Retry-After as delta-seconds or HTTP-date, capped; the default when absent or unreadable. */
    static int retryAfterSeconds(String header) {
        if (header == null || header.isBlank()) {
            return DEFAULT_RETRY_AFTER_SECONDS;
        }
        long seconds;
        try {
            seconds = (long) Math.ceil(Double.parseDouble(header.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                seconds = Duration.between(ZonedDateTime.now(at.getZone()), at).toSeconds();
            } catch (RuntimeException notADate) {
                return DEFAULT_RETRY_AFTER_SECONDS;
            }
        }
        return (int) Math.max(1, Math.min(seconds, MAX_RETRY_AFTER_SECONDS));
    }
}
