package io.microchatbot.redis;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * What a use of a {@link StreamGroupConsumer} does with the entries it reads. It acknowledges them itself
 * ({@link StreamGroupConsumer#acknowledge}), when they are done.
 */
public interface StreamHandler {

    /**
     * Entries read; the next read waits for the answer. A failure makes the consumer back off (and read them again
     * first when {@link StreamGroup#rereadOwnPending}).
     */
    Uni<Void> handle(List<StreamEntry> entries);

    /** Entries taken over from a consumer that left them pending for too long: by default, as if read. */
    default Uni<Void> handleTakenOver(List<StreamEntry> entries) {
        return handle(entries);
    }

    /** How many more entries may be read now; none skips the read. */
    default int room() {
        return Integer.MAX_VALUE;
    }
}
