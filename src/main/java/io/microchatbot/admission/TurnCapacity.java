package io.microchatbot.admission;

import java.util.OptionalInt;

import jakarta.inject.Singleton;

import io.quarkus.logging.Log;

/**
 * How many turns this pod admits at once and how many may wait, sized from the heap at start. Other bounds of the
 * turn (the LLM bulkhead, the provider connection pool) default to {@link #limit()}, so that they never refuse or
 * queue what admission let in.
 */
@Singleton
public class TurnCapacity {

    private final int limit;
    private final int maxQueue;

    TurnCapacity(AdmissionConfig config) {
        long heap = Runtime.getRuntime().maxMemory();
        this.limit = limitFor(heap, config.heapPerTurn().asLongValue(), config.maxConcurrentTurns());
        this.maxQueue = config.maxQueue().orElse(limit);
        if (maxQueue < 0) {
            throw new IllegalArgumentException("chatbot.admission.max-queue must not be negative");
        }
        Log.infof("Admission: up to %d turns at once and %d waiting (max heap %d MiB, %d KiB per turn%s)", limit,
                maxQueue, heap / (1024 * 1024), config.heapPerTurn().asLongValue() / 1024,
                config.maxConcurrentTurns().isPresent() ? ", capped at " + config.maxConcurrentTurns().getAsInt() : "");
    }

    /**
     * {@code maxHeap / heapPerTurn}, at most {@code cap} when one is set, and never below 1 (a pod that admits
     * nothing would be useless; one that small should get a bigger heap).
     */
    static int limitFor(long maxHeapBytes, long heapPerTurnBytes, OptionalInt cap) {
        if (heapPerTurnBytes <= 0) {
            throw new IllegalArgumentException("chatbot.admission.heap-per-turn must be positive");
        }
        if (cap.isPresent() && cap.getAsInt() < 1) {
            throw new IllegalArgumentException("chatbot.admission.max-concurrent-turns must be at least 1");
        }
        long fromHeap = Math.max(1, maxHeapBytes / heapPerTurnBytes);
        long capped = cap.isPresent() ? Math.min(fromHeap, cap.getAsInt()) : fromHeap;
        return (int) Math.min(capped, Integer.MAX_VALUE);
    }

    /** Turns that may run at once in this process. */
    public int limit() {
        return limit;
    }

    /** Turns that may wait for a place. */
    public int maxQueue() {
        return maxQueue;
    }
}
