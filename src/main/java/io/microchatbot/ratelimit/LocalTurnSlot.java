package io.microchatbot.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.microchatbot.redis.Pipelined;
import io.smallrye.mutiny.Uni;

/** A place this pod counts itself, taken while Redis was unavailable. */
final class LocalTurnSlot implements TurnSlot {

    private final AtomicInteger running;
    private final AtomicBoolean released = new AtomicBoolean();

    LocalTurnSlot(AtomicInteger running) {
        this.running = running;
    }

    @Override
    public Uni<Void> release() {
        free();
        return Uni.createFrom().voidItem();
    }

    @Override
    public Pipelined<Void> releaseStep() {
        free();
        return Pipelined.known(null);
    }

    private void free() {
        if (released.compareAndSet(false, true)) {
            running.decrementAndGet();
        }
    }
}
