package io.microchatbot.lifecycle;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.service.RunningTurns;
import io.microchatbot.service.TurnConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Where this pod is in its shutdown. On SIGTERM Quarkus marks readiness DOWN and keeps serving for
 * {@code quarkus.shutdown.delay}, so that the mesh stops routing here; after that the pod drains: new API requests
 * are refused, the running ones get {@code quarkus.shutdown.timeout} to finish. Then, before the database pool
 * closes, the turns still running get {@code chatbot.turn.shutdown-grace} to store their replies.
 */
@ApplicationScoped
public class ShutdownPhase {

    private final Duration delay;
    private final RunningTurns turns;
    private final TurnConfig config;
    private volatile Long drainsFromNanos;

    ShutdownPhase(@ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay, RunningTurns turns,
            TurnConfig config) {
        this.delay = delay.orElse(Duration.ZERO);
        this.turns = turns;
        this.config = config;
    }

    /** True once the delay after SIGTERM is over. */
    public boolean draining() {
        Long from = drainsFromNanos;
        return from != null && System.nanoTime() - from >= 0;
    }

    void delayStarted(@Observes ShutdownDelayInitiatedEvent event) {
        drainsFromNanos = System.nanoTime() + delay.toNanos();
        Log.infof("Shutting down: readiness is DOWN, new API requests are refused in %d ms", delay.toMillis());
    }

    /** The HTTP drain is over (or the delay was disabled): nothing new may start. */
    void stopping(@Observes @Priority(1) ShutdownEvent event) {
        drainsFromNanos = System.nanoTime();
    }

    /** After DrainingRequests cut the unfinished requests: their turns store what they have, while they can. */
    void awaitRunningTurns(@Observes @Priority(20) ShutdownEvent event) throws InterruptedException {
        // Streamed turns run on when their callers are cut (they may follow them again elsewhere): cut them here.
        int cut = turns.cutStreamed(new ApiException(ErrorCode.shutting_down,
                "The service stopped before the reply was complete"));
        if (cut > 0) {
            Log.warnf("Cut %d streamed turn(s) still running after the drain period", cut);
        }
        int running = turns.count();
        if (running == 0) {
            return;
        }
        Duration grace = config.shutdownGrace();
        Log.infof("Waiting up to %d ms for %d running turn(s) to store their replies", grace.toMillis(), running);
        if (!turns.awaitNone(grace)) {
            Log.warnf("%d turn(s) still running at shutdown; the turn recovery job will settle them once their"
                    + " lease expires", turns.count());
        }
    }
}
