package io.microchatbot;

import java.time.Duration;

import io.microchatbot.problem.ApiException;

/**
 * The deadline Envoy (Istio's sidecar) tells the service it will wait: {@code x-envoy-expected-rq-timeout-ms}, read
 * alike from REST headers and gRPC metadata.
 */
public final class EnvoyTimeout {

    public static final String HEADER = "x-envoy-expected-rq-timeout-ms";

    private EnvoyTimeout() {
    }

    /** The budget, null when the header is absent; 400 validation_failed when it is not a positive number. */
    public static Duration parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.invalid(HEADER, "must be a positive number of milliseconds");
    }
}
