package io.microchatbot.admission;

import java.time.Duration;
import java.util.OptionalInt;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How many turns this pod runs at once (docs/adr/0006-admission-control.md). A turn beyond them waits in a bounded
 * queue for as long as its caller's deadline and {@link #maxQueueWait()} allow, else it is refused with
 * {@code 503 overloaded} before anything is stored.
 */
@ConfigMapping(prefix = "chatbot.admission")
public interface AdmissionConfig {

    /**
     * Heap one running turn may take, counted against the JVM's maximum heap to derive the limit
     * ({@code max heap / heap-per-turn}). A heap histogram of bench/run's 5,000 streams in flight (image's 232 MiB
     * heap) found ~23 KB live per stream on top of the service's own ~78 MB (50 MB of it the tokenizer's tables);
     * 5,000 of them filled 84 % of the heap and the collector took the time. 80K admits ~2,840 there, ~62 % of the
     * heap live at the limit, leaving the collector its headroom. Raise it when messages are large (a
     * 32,000-character message and its prompt add ~100 KB to a turn).
     */
    @WithDefault("80K")
    MemorySize heapPerTurn();

    /**
     * An upper bound on the heap-derived limit; absent: the heap-derived limit alone. A value above it is not
     * taken: the heap decides (so that no setting admits more work than the heap holds).
     */
    OptionalInt maxConcurrentTurns();

    /**
     * Turns waiting for a place (first in, first out); absent: as many as the limit. A waiting turn holds only its
     * parsed request, far less than a running one. Beyond them a turn is refused at once.
     */
    OptionalInt maxQueue();

    /** The longest a turn waits for a place; less when its caller's deadline leaves less (see ChatService). */
    @WithDefault("5s")
    Duration maxQueueWait();

    /** Retry-After sent with 503 overloaded. */
    @WithDefault("2")
    int retryAfterSeconds();
}
