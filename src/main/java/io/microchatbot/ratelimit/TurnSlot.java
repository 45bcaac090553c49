package io.microchatbot.ratelimit;

import io.smallrye.mutiny.Uni;

/** A caller's place among its concurrent turns, held until released (or, if its pod dies, until its lease ends). */
public interface TurnSlot {

    /** Frees the place; calling it again does nothing. Never fails. */
    Uni<Void> release();

    /** The slot of a turn that is not limited. */
    TurnSlot NONE = () -> Uni.createFrom().voidItem();
}
