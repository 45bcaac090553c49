package io.microchatbot.grpc;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microchatbot.Deadline;
import io.microchatbot.problem.ApiException;
import io.microchatbot.security.RequestHeaders;

/**
 * The caller's deadline: the {@code grpc-timeout} its client sends for the call's deadline (the gRPC wire format:
 * up to 8 digits and a unit), or Envoy's {@code x-envoy-expected-rq-timeout-ms}; the nearer one when both come.
 * The server's gRPC stack does not apply it, so the turn pipeline does, as it does REST's.
 */
final class CallDeadline {

    static final String GRPC_TIMEOUT = "grpc-timeout";
    static final String ENVOY_TIMEOUT = "x-envoy-expected-rq-timeout-ms";
    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,8})([HMSmun])");

    private CallDeadline() {
    }

    static Deadline from(RequestHeaders metadata) {
        Duration grpc = grpcTimeout(metadata.get(GRPC_TIMEOUT));
        Duration envoy = envoyTimeout(metadata.get(ENVOY_TIMEOUT));
        Duration budget = grpc == null ? envoy : envoy == null ? grpc : (grpc.compareTo(envoy) <= 0 ? grpc : envoy);
        return budget == null ? Deadline.NONE : Deadline.in(budget);
    }

    private static Duration grpcTimeout(String value) {
        if (value == null) {
            return null;
        }
        Matcher matcher = TIMEOUT.matcher(value.trim());
        if (!matcher.matches()) {
            throw ApiException.invalid(GRPC_TIMEOUT, "must be up to 8 digits and a unit (H, M, S, m, u, n)");
        }
        long amount = Long.parseLong(matcher.group(1));
        ChronoUnit unit = switch (matcher.group(2)) {
            case "H" -> ChronoUnit.HOURS;
            case "M" -> ChronoUnit.MINUTES;
            case "S" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MILLIS;
            case "u" -> ChronoUnit.MICROS;
            default -> ChronoUnit.NANOS;
        };
        return Duration.of(amount, unit);
    }

    private static Duration envoyTimeout(String value) {
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
        throw ApiException.invalid(ENVOY_TIMEOUT, "must be a positive number of milliseconds");
    }
}
