package io.microchatbot;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.smallrye.mutiny.Uni;

/**
 * Work that must finish once started: a caller who cancels stops waiting for it, but does not stop it. Used by the
 * turn (a caller hanging up mid-transaction), idempotency (a recorded answer is recorded whoever waits) and the
 * recording of a streamed answer.
 */
public final class Detached {

    private static final int WAITING = 0;
    private static final int DELIVERED = 1;
    private static final int ABANDONED = 2;

    private Detached() {
    }

    public static <T> Uni<T> run(Uni<T> work) {
        return run(work, abandoned -> {
        });
    }

    /**
     * As {@link #run(Uni)}; an item that arrives after the caller cancelled goes to {@code ifAbandoned} instead,
     * for work that only starts something (a stream nobody will subscribe to must still be run or ended).
     */
    public static <T> Uni<T> run(Uni<T> work, Consumer<T> ifAbandoned) {
        AtomicInteger state = new AtomicInteger(WAITING);
        return Uni.createFrom().<T> emitter(emitter -> work.subscribe().with(
                item -> {
                    if (state.compareAndSet(WAITING, DELIVERED)) {
                        emitter.complete(item);
                    } else {
                        ifAbandoned.accept(item);
                    }
                },
                emitter::fail))
                .onCancellation().invoke(() -> state.compareAndSet(WAITING, ABANDONED));
    }
}
