package io.microchatbot.llm;

import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * A stream that a guard sees as one call lasting from subscription until the stream ends, fails or is cancelled,
 * so that a bulkhead counts it for as long as it runs. Fault Tolerance guards only Unis: the guarded Uni relays the
 * stream and completes when it ends.
 */
final class HeldStream {

    private static final TypeLiteral<Uni<Void>> LIFETIME = new TypeLiteral<>() {
    };

    private HeldStream() {
    }

    /**
     * Opens the stream once the guard lets it in. A failure to get in, or to open, fails the returned stream;
     * cancelling it cancels the opening or the stream, whichever is running.
     */
    static <T> Multi<T> holding(Guard guard, Supplier<Uni<Multi<T>>> opening) {
        return Multi.createFrom().emitter(emitter -> {
            Supplier<Uni<Void>> lifetime = () -> opening.get()
                    .onItem().transformToUni(stream -> stream
                            .onItem().invoke(emitter::emit)
                            .onFailure().invoke(emitter::fail)
                            .onCompletion().invoke(emitter::complete)
                            .onFailure().recoverWithCompletion() // the stream's failure is its caller's, not the guard's
                            .onItem().ignoreAsUni());
            Cancellable held = guard.get(lifetime, LIFETIME)
                    .subscribe().with(ignored -> {
                    }, emitter::fail);
            emitter.onTermination(held::cancel);
        });
    }
}
