package io.microchatbot.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.problem.ApiException;

/**
 * The turns of this pod that stored their user message and not yet their reply, so that a stop can wait for them
 * and a cancel can reach them. A turn is named by its last input message (the user message, or the last tool
 * result). A turn whose reply is never written (its stream was never subscribed) stays here; a stop then waits its
 * whole bound, and the recovery job settles the turn.
 */
@ApplicationScoped
public class RunningTurns {

    private final Map<UUID, Running> running = new ConcurrentHashMap<>();

    void begun(TurnStart turn) {
        running.put(turn.userMessage().id, new Running());
    }

    void ended(TurnStart turn) {
        running.remove(turn.userMessage().id);
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * How the turn is stopped before its end; {@code streamed} says whether a stop cuts it (a whole reply is
     * waited for). A cancel that came before this is applied at once.
     */
    void cancellable(TurnStart turn, boolean streamed, Consumer<ApiException> cancel) {
        Running turnState = running.get(turn.userMessage().id);
        if (turnState != null) {
            turnState.cancellable(streamed, cancel);
        }
    }

    /** Cancels the turn if this pod runs it; true when it does (the turn then stores its reply and ends). */
    public boolean cancel(UUID messageId, ApiException why) {
        Running turnState = running.get(messageId);
        if (turnState == null) {
            return false;
        }
        turnState.cancel(why);
        return true;
    }

    /** Cuts every streamed turn still running (a stop after its drain): each stores what it generated. */
    public int cutStreamed(ApiException why) {
        List<Running> streamed = running.values().stream().filter(Running::streamed).toList();
        streamed.forEach(turnState -> turnState.cancel(why));
        return streamed.size();
    }

    /** The turns running here, by their last input message. */
    public List<UUID> ids() {
        return List.copyOf(running.keySet());
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

    /** One turn's way to be stopped, and a cancel that arrived before it had one. */
    private static final class Running {
        private Consumer<ApiException> cancel;
        private ApiException early;
        private volatile boolean streamed;

        synchronized void cancellable(boolean isStreamed, Consumer<ApiException> how) {
            this.streamed = isStreamed;
            this.cancel = how;
            if (early != null) {
                how.accept(early);
            }
        }

        void cancel(ApiException why) {
            Consumer<ApiException> how;
            synchronized (this) {
                if (cancel == null) {
                    early = why;
                    return;
                }
                how = cancel;
            }
            how.accept(why);
        }

        boolean streamed() {
            return streamed;
        }
    }
}
