package io.microchatbot.service;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The turns of this pod that stored their user message and not yet their reply, so that a stop can wait for them.
 * A turn whose reply is never written (its stream was never subscribed) stays here; a stop then waits its whole
 * bound, and the recovery job settles the turn.
 */
@ApplicationScoped
public class RunningTurns {

    private final Set<UUID> running = ConcurrentHashMap.newKeySet();

    void begun(TurnStart turn) {
        running.add(turn.userMessage().id);
    }

    void ended(TurnStart turn) {
        running.remove(turn.userMessage().id);
        synchronized (this) {
            notifyAll();
        }
    }

    public int count() {
        return running.size();
    }

    /**
     * Blocks until no turn runs or {@code within} has passed; true when none runs. Woken by each ended turn, not by
     * polling. Not for an event loop (the shutdown hook calls it).
     */
    public synchronized boolean awaitNone(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (long left = within.toNanos(); !running.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return running.isEmpty();
    }
}
