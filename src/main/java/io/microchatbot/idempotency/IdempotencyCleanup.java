package io.microchatbot.idempotency;

import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Deletes expired idempotency keys every {@code chatbot.idempotency.cleanup-interval}, on every replica (they skip
 * each other's rows). Expired keys already count as absent before they are deleted; this only bounds the table.
 */
@ApplicationScoped
public class IdempotencyCleanup {

    public static final String JOB = "idempotency-cleanup";
    static final int BATCH = 1000;

    private final IdempotencyStore store;

    IdempotencyCleanup(IdempotencyStore store) {
        this.store = store;
    }

    @Scheduled(identity = JOB, every = "${chatbot.idempotency.cleanup-interval:10m}", delayed = "${chatbot.idempotency.cleanup-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return deleteExpired()
                .invoke(count -> {
                    if (count > 0) {
                        Log.infof("Deleted %d expired idempotency key(s)", count);
                    }
                })
                .onFailure().invoke(failure -> Log.warnf("Could not delete expired idempotency keys: %s",
                        failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Deletes every expired key, a batch per statement so that none holds many row locks; returns how many. */
    public Uni<Integer> deleteExpired() {
        return Multi.createBy().repeating().uni(() -> store.deleteExpired(BATCH))
                .whilst(count -> count == BATCH)
                .collect().with(Collectors.summingInt(Integer::intValue));
    }
}
