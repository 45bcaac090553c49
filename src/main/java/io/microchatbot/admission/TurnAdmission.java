package io.microchatbot.admission;

import java.time.Duration;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Deadline;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Admission of turns by concurrency: at most {@link TurnCapacity#limit()} turns run in this process; beyond them a
 * turn waits in a bounded queue, first in first out, for as long as its caller's deadline allows (keeping the time
 * a turn needs to start) and at most {@code chatbot.admission.max-queue-wait}. Otherwise it is refused with
 * {@code 503 overloaded} and {@code Retry-After}, before anything is stored or called. Metrics:
 * {@code chatbot_admission_in_flight}, {@code chatbot_admission_queued}, {@code chatbot_admission_limit} and
 * {@code chatbot_admission_shed_total{reason}}.
 */
@ApplicationScoped
public class TurnAdmission {

    private final ConcurrencyLimiter limiter;
    private final AdmissionConfig config;
    private final MeterRegistry registry;

    TurnAdmission(TurnCapacity capacity, AdmissionConfig config, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.limiter = new ConcurrencyLimiter(capacity.limit(), capacity.maxQueue(), (delay, task) -> {
            long timer = vertx.setTimer(Math.max(1, delay.toMillis()), ignored -> task.run());
            return () -> vertx.cancelTimer(timer);
        });
        Gauge.builder("chatbot.admission.in.flight", limiter, ConcurrencyLimiter::running)
                .description("Turns holding an admission permit on this pod (running, or streaming their reply)")
                .register(registry);
        Gauge.builder("chatbot.admission.queued", limiter, ConcurrencyLimiter::queued)
                .description("Turns waiting for an admission permit on this pod")
                .register(registry);
        Gauge.builder("chatbot.admission.limit", limiter, ConcurrencyLimiter::limit)
                .description("Turns this pod runs at once at most (chatbot.admission.*)")
                .register(registry);
        for (ConcurrencyLimiter.Reason reason : ConcurrencyLimiter.Reason.values()) {
            shedCounter(reason); // present at 0 from the start, so that rate() sees the first shed
        }
    }

    /**
     * Runs {@code turn} once it holds a permit; the turn must release it when it fully ends (see
     * {@link ConcurrencyLimiter#run}). Waits at most the shorter of {@code max-queue-wait} and the caller's time left
     * beyond {@code reserve}; a turn that cannot wait, or finds the queue full, fails at once with
     * {@code 503 overloaded}, as does one whose wait runs out. Nothing of {@code turn} runs then.
     */
    public <T> Uni<T> admit(Deadline deadline, Duration reserve, Function<Permit, Uni<T>> turn) {
        return Uni.createFrom().deferred(() -> limiter.run(longestWait(deadline, reserve), turn))
                .onFailure(ConcurrencyLimiter.Refused.class).transform(this::overloaded);
    }

    /**
     * {@link #admit} for a turn whose caller will wait at least {@code minTimeToStart}: one whose deadline leaves less
     * is refused at once with {@code 504 deadline_exceeded}, before anything is stored or paid for.
     */
    public <T> Uni<T> admitInTime(Deadline deadline, Duration minTimeToStart, Function<Permit, Uni<T>> turn) {
        return deadline.remaining()
                .filter(left -> left.compareTo(minTimeToStart) < 0)
                .map(left -> Uni.createFrom().<T> failure(new ApiException(ErrorCode.deadline_exceeded,
                        "The caller's deadline leaves " + left.toMillis() + " ms; a turn needs at least "
                                + minTimeToStart.toMillis() + " ms")))
                .orElseGet(() -> admit(deadline, minTimeToStart, turn));
    }

    /** Turns holding a permit now. */
    public int inFlight() {
        return limiter.running();
    }

    /** Turns waiting for one now. */
    public int queued() {
        return limiter.queued();
    }

    private Duration longestWait(Deadline deadline, Duration reserve) {
        Duration wait = config.maxQueueWait();
        return deadline.remaining()
                .map(left -> left.minus(reserve))
                .filter(allowed -> allowed.compareTo(wait) < 0)
                .orElse(wait);
    }

    private ApiException overloaded(Throwable failure) {
        ConcurrencyLimiter.Reason reason = ((ConcurrencyLimiter.Refused) failure).reason();
        shedCounter(reason).increment();
        String why = switch (reason) {
            case queue_full -> "every place is taken and " + limiter.queued() + " turns are already waiting";
            case no_time_to_wait -> "every place is taken and the caller's deadline leaves no time to wait for one";
            case wait_timed_out -> "no place came free in the time the turn could wait";
        };
        return new ApiException(ErrorCode.overloaded, "This instance runs its maximum of " + limiter.limit()
                + " turns at once: " + why + "; nothing was stored", config.retryAfterSeconds());
    }

    private Counter shedCounter(ConcurrencyLimiter.Reason reason) {
        return Counter.builder("chatbot.admission.shed")
                .description("Turns refused with 503 overloaded, by why")
                .tag("reason", reason.name())
                .register(registry);
    }
}
