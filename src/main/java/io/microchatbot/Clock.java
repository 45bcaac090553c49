package io.microchatbot;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps at PostgreSQL's precision, so that a stored value and a cursor built from it compare equal. */
public final class Clock {

    private Clock() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Now, or just after {@code previous} if this pod's clock is behind the one that wrote it. */
    public static Instant after(Instant previous) {
        Instant now = now();
        return previous == null || now.isAfter(previous) ? now : previous.plus(1, ChronoUnit.MICROS);
    }
}
