package io.microchatbot.llm;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Splits a stream at its first chunk: the returned Uni succeeds once the provider has sent something (with the
 * whole stream, that chunk included) and fails if the stream fails before. This is the step that retries,
 * circuit breakers and fallbacks may guard: before it nothing has reached our caller, after it nothing may be
 * repeated. Cancelling the Uni before the first chunk, or the stream after it, cancels the provider's stream.
 */
public final class FirstToken {

    private FirstToken() {
    }

    public static Uni<Multi<LlmChunk>> open(Multi<LlmChunk> source) {
        return Uni.createFrom().emitter(opened -> {
            UnicastProcessor<LlmChunk> chunks = UnicastProcessor.create();
            AtomicBoolean started = new AtomicBoolean();
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            Multi<LlmChunk> stream = chunks.onCancellation().invoke(() -> cancel(upstream));
            opened.onTermination(() -> {
                if (!started.get()) {
                    cancel(upstream); // timed out or abandoned before the first chunk
                }
            });
            upstream.set(source.subscribe().with(
                    chunk -> {
                        chunks.onNext(chunk);
                        if (started.compareAndSet(false, true)) {
                            opened.complete(stream);
                        }
                    },
                    failure -> {
                        if (started.get()) {
                            chunks.onError(failure);
                        } else {
                            opened.fail(failure);
                        }
                    },
                    () -> {
                        chunks.onComplete();
                        if (started.compareAndSet(false, true)) {
                            opened.complete(stream);
                        }
                    }));
        });
    }

    private static void cancel(AtomicReference<Cancellable> upstream) {
        Cancellable subscription = upstream.get();
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
