package io.microchatbot.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.database.DatabaseUnavailable;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;

/**
 * Settles interrupted turns ({@link InterruptedTurns}) right after start and then every
 * {@code chatbot.turn.recovery-interval} ({@code off} disables it). Runs on every replica; a run still going when
 * the next is due is not overlapped. While the database is unreachable a run only logs that, and the next retries.
 */
@ApplicationScoped
public class TurnRecoveryJob {

    private final InterruptedTurns turns;

    TurnRecoveryJob(InterruptedTurns turns) {
        this.turns = turns;
    }

    @Scheduled(identity = "turn-recovery", every = "${chatbot.turn.recovery-interval:30s}", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return turns.settleExpired()
                .invoke(settled -> {
                    if (settled > 0) {
                        Log.infof("Settled %d interrupted turn(s)", settled);
                    }
                })
                .onFailure(DatabaseUnavailable::test).recoverWithItem(failure -> {
                    Log.warnf("Turn recovery skipped, the database is unreachable: %s", failure.getMessage());
                    return 0;
                })
                .replaceWithVoid();
    }
}
