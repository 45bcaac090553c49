package io.microchatbot.idempotency;

import java.util.concurrent.atomic.AtomicBoolean;

import io.microchatbot.Detached;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the text of a streamed outcome as it passes and records it once, when the stream ends: its end reaches the
 * caller only after the record is written, so a retry sent after the end is a replay. If the caller hangs up
 * first, what was sent until then is recorded (a stream without its terminal event).
 */
final class RecordedStream {

    private final IdempotencyStore store;
    private final Claim.Acquired claim;
    private final Outcome.Streaming streaming;
    private final StringBuilder text = new StringBuilder();
    private final AtomicBoolean recorded = new AtomicBoolean();

    RecordedStream(IdempotencyStore store, Claim.Acquired claim, Outcome.Streaming streaming) {
        this.store = store;
        this.claim = claim;
        this.streaming = streaming;
    }

    Outcome.Streaming outcome() {
        Multi<String> events = streaming.events()
                .onItem().invoke(this::append)
                .onCompletion().call(() -> Detached.run(record()))
                .onFailure().call(failure -> Detached.run(record()))
                .onCancellation().invoke(() -> record().subscribe().with(ignored -> {
                }));
        return new Outcome.Streaming(events);
    }

    /** Records once, whichever of end, failure and hang-up comes first; never fails (see the store). */
    private Uni<Void> record() {
        if (!recorded.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return store.complete(claim, new Outcome.Transcript(text()));
    }

    private synchronized void append(String chunk) {
        text.append(chunk);
    }

    private synchronized String text() {
        return text.toString();
    }
}
