package io.microchatbot.admission;

import java.util.concurrent.atomic.AtomicBoolean;

/** A running turn's place; {@link #release()} gives it back (to the next waiting turn, if any) once only. */
public final class Permit {

    private final ConcurrencyLimiter limiter;
    private final AtomicBoolean released = new AtomicBoolean();

    Permit(ConcurrencyLimiter limiter) {
        this.limiter = limiter;
    }

    /** Idempotent, so that every way a turn ends may call it. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            limiter.release();
        }
    }
}
