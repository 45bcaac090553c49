package io.microchatbot.service;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The turns of this pod that stored their user message and not yet their reply, so that a stop can wait for them.
 * A turn whose reply is never written (its stream was never subscribed) stays here; a stop then waits its whole
 * bound, and the recovery job settles the turn.
 */
@ApplicationScoped
public class RunningTurns {

    private static final long POLL_MILLIS = 20;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();

    void begun(TurnStart turn) {
        running.add(turn.userMessage().id);
    }

    void ended(TurnStart turn) {
        running.remove(turn.userMessage().id);
    }

    public int count() {
        return running.size();
    }

    /** Blocks until no turn runs or {@code within} has passed; true when none runs. Not for an event loop. */
    public boolean awaitNone(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
        }
        return running.isEmpty();
    }
}
