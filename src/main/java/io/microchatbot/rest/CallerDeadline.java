package io.microchatbot.rest;

import java.math.BigDecimal;
import java.time.Duration;

import jakarta.ws.rs.core.HttpHeaders;

import io.microchatbot.Deadline;
import io.microchatbot.EnvoyTimeout;
import io.microchatbot.problem.ApiException;

/**
 * The caller's deadline: Envoy's (Istio's) {@code x-envoy-expected-rq-timeout-ms}, or {@code Request-Timeout} in
 * seconds; the nearer one when both are sent.
 */
public final class CallerDeadline {

    static final String ENVOY_HEADER = EnvoyTimeout.HEADER;
    static final String REQUEST_TIMEOUT_HEADER = "Request-Timeout";

    private CallerDeadline() {
    }

    public static Deadline from(HttpHeaders headers) {
        return Deadline.nearer(EnvoyTimeout.parse(headers.getHeaderString(ENVOY_HEADER)),
                seconds(headers.getHeaderString(REQUEST_TIMEOUT_HEADER)));
    }

    private static Duration seconds(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(value.trim());
            if (seconds.signum() > 0 && seconds.compareTo(BigDecimal.valueOf(86_400)) <= 0) {
                return Duration.ofMillis(seconds.movePointRight(3).longValue());
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.invalid(REQUEST_TIMEOUT_HEADER, "must be a positive number of seconds");
    }
}
