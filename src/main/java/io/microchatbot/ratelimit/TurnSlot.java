package io.microchatbot.ratelimit;

import io.microchatbot.redis.Pipelined;
import io.smallrye.mutiny.Uni;

/** A caller's place among its concurrent turns, held until released (or, if its pod dies, until its lease ends). */
public interface TurnSlot {

    /** Frees the place; calling it again does nothing. Never fails. */
    Uni<Void> release();

    /**
     * Frees the place as a step of a pipeline the turn sends anyway (nothing to send for a place this pod counts
     * itself); {@link #release()} then does nothing.
     */
    Pipelined<Void> releaseStep();

    /** The slot of a turn that is not limited. */
    TurnSlot NONE = new TurnSlot() {
        @Override
        public Uni<Void> release() {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Pipelined<Void> releaseStep() {
            return Pipelined.known(null);
        }
    };
}
