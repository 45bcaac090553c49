package io.microchatbot;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** When the caller stops waiting for a request; {@link #NONE} when it did not say. */
public record Deadline(Instant at) {

    public static final Deadline NONE = new Deadline(null);

    public static Deadline in(Duration budget) {
        return new Deadline(Instant.now().plus(budget));
    }

    /** The nearer of two budgets a caller may send (either may be null); {@link #NONE} when neither came. */
    public static Deadline nearer(Duration one, Duration other) {
        Duration budget = one == null ? other : other == null ? one : (one.compareTo(other) <= 0 ? one : other);
        return budget == null ? NONE : in(budget);
    }

    /** Time left, or empty when there is no deadline. Never negative. */
    public Optional<Duration> remaining() {
        if (at == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(Instant.now(), at);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    public boolean isSet() {
        return at != null;
    }
}
