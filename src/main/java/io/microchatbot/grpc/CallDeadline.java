package io.microchatbot.grpc;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microchatbot.Deadline;
import io.microchatbot.EnvoyTimeout;
import io.microchatbot.problem.ApiException;
import io.microchatbot.security.RequestHeaders;

/**
 * The caller's deadline: the {@code grpc-timeout} its client sends for the call's deadline (the gRPC wire format:
 * up to 8 digits and a unit), or Envoy's {@code x-envoy-expected-rq-timeout-ms}; the nearer one when both come.
 * The server's gRPC stack does not apply it, so the turn pipeline does, as it does REST's.
 */
final class CallDeadline {

    static final String GRPC_TIMEOUT = "grpc-timeout";
    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,8})([HMSmun])");

    private CallDeadline() {
    }

    static Deadline from(RequestHeaders metadata) {
        return Deadline.nearer(grpcTimeout(metadata.get(GRPC_TIMEOUT)), EnvoyTimeout.parse(metadata.get(
                EnvoyTimeout.HEADER)));
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
}
