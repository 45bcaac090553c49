package io.microchatbot.event;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs reactive work every interval, never overlapping itself, each run on a fresh duplicated Vert.x context as a
 * request would (Hibernate Reactive keeps its session there). For sub-second intervals, which the Quarkus scheduler
 * rounds up to a second.
 */
public final class Periodic {

    private Periodic() {
    }

    /** Starts the job; returns the timer id for {@link Vertx#cancelTimer(long)}. */
    public static long every(Vertx vertx, Duration interval, String name, Supplier<Uni<Void>> job) {
        AtomicBoolean running = new AtomicBoolean();
        return vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> {
            if (running.compareAndSet(false, true)) {
                onFreshContext(vertx, name, () -> job.get().onTermination().invoke(() -> running.set(false)));
            }
        });
    }

    /** Runs the work once on a fresh duplicated context; a failure is logged, never thrown. */
    public static void onFreshContext(Vertx vertx, String name, Supplier<Uni<Void>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> Uni.createFrom().<Void> deferred(work::get).subscribe().with(done -> {
        }, failure -> Log.errorf(failure, "%s failed", name)));
    }
}
