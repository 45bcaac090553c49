package io.microchatbot.admission;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * At most {@code limit} holders of a {@link Permit} at once; beyond them a bounded first-in-first-out queue in
 * which each waiter waits no longer than its own budget. Nothing here blocks a thread: a waiter is a callback, the
 * lock only guards a counter and the queue (no callback runs under it), and the timeouts are timers.
 * <p>
 * Each admission moves once from waiting to exactly one of: running (it got a permit), shed (queue full, no time to
 * wait, or its wait ran out) or gone (its caller cancelled while it waited). That single transition is what keeps a
 * permit from leaking or being given twice when a release, a timeout and a cancellation race.
 */
final class ConcurrencyLimiter {

    /** Why an admission was refused. */
    enum Reason {
        /** Every place taken and the queue full. */
        queue_full,
        /** Every place taken and no time left to wait. */
        no_time_to_wait,
        /** It waited as long as it could. */
        wait_timed_out
    }

    /** A refusal: nothing of the work ran. */
    static final class Refused extends RuntimeException {
        private final Reason reason;

        Refused(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        Reason reason() {
            return reason;
        }
    }

    /** Schedules a task after a delay; returns what cancels it. */
    interface Timers {
        Runnable schedule(Duration delay, Runnable task);
    }

    private final int limit;
    private final int maxQueue;
    private final Timers timers;
    private final LinkedHashSet<Admission<?>> queue = new LinkedHashSet<>(); // guarded by this
    private int running; // guarded by this
    private volatile int runningNow;
    private volatile int queuedNow;

    ConcurrencyLimiter(int limit, int maxQueue, Timers timers) {
        if (limit < 1 || maxQueue < 0) {
            throw new IllegalArgumentException("limit must be >= 1 and the queue >= 0");
        }
        this.limit = limit;
        this.maxQueue = maxQueue;
        this.timers = timers;
    }

    /**
     * Runs {@code work} with a permit, at once if one is free, else after waiting up to {@code maxWait} in the
     * queue; fails with {@link Refused} when it cannot. The work owns the permit from the moment it is called and
     * must release it when it ends, whatever happens (a failure of the call itself releases it here). A caller who
     * cancels while waiting leaves the queue; one who cancels after the work started has the cancellation passed
     * to the work. Work started after a wait runs on the Vert.x context of the caller, not on the releaser's.
     */
    <T> Uni<T> run(Duration maxWait, Function<Permit, Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Admission<T> admission = new Admission<>(emitter, work, resumeOn(Vertx.currentContext()));
            emitter.onTermination(admission::callerEnded);
            enter(admission, maxWait);
        });
    }

    int running() {
        return runningNow;
    }

    int queued() {
        return queuedNow;
    }

    int limit() {
        return limit;
    }

    private void enter(Admission<?> admission, Duration maxWait) {
        Reason refused = null;
        boolean admitted = false;
        synchronized (this) {
            if (running < limit && queue.isEmpty()) {
                running++;
                admitted = true;
            } else if (maxWait.isZero() || maxWait.isNegative()) {
                refused = Reason.no_time_to_wait;
            } else if (queue.size() >= maxQueue) {
                refused = Reason.queue_full;
            } else {
                queue.add(admission);
            }
            publish();
        }
        if (admitted) {
            admission.grantNow(new Permit(this));
        } else if (refused != null) {
            admission.refuse(refused);
        } else {
            admission.waitAtMost(maxWait);
        }
    }

    /** A permit comes back: it goes to the oldest waiter still waiting, or back to the pool. */
    void release() {
        while (true) {
            Admission<?> next;
            synchronized (this) {
                Iterator<Admission<?>> oldest = queue.iterator();
                if (!oldest.hasNext()) {
                    running--;
                    publish();
                    return;
                }
                next = oldest.next();
                oldest.remove();
                publish();
            }
            if (next.grant(new Permit(this))) {
                return;
            }
            // it timed out or its caller left meanwhile: the permit goes to the one after it
        }
    }

    private void leave(Admission<?> admission) {
        synchronized (this) {
            queue.remove(admission);
            publish();
        }
    }

    private void publish() {
        runningNow = running;
        queuedNow = queue.size();
    }

    private static Executor resumeOn(Context context) {
        return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
    }

    /** One turn asking for a place. */
    private final class Admission<T> {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int SHED = 2;
        private static final int GONE = 3;

        private final UniEmitter<? super T> emitter;
        private final Function<Permit, Uni<T>> work;
        private final Executor home;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile boolean callerEnded;
        private volatile Runnable cancelTimer;
        private volatile Cancellable started;

        Admission(UniEmitter<? super T> emitter, Function<Permit, Uni<T>> work, Executor home) {
            this.emitter = emitter;
            this.work = work;
            this.home = home;
        }

        /** A permit free on arrival: the work starts right here, on the caller's own thread. */
        void grantNow(Permit permit) {
            if (state.compareAndSet(WAITING, RUNNING)) {
                start(permit);
            } else {
                permit.release();
            }
        }

        /** Hands it a permit freed by another turn; false (the permit untouched) when it is no longer waiting. */
        boolean grant(Permit permit) {
            if (!state.compareAndSet(WAITING, RUNNING)) {
                return false;
            }
            stopTimer();
            home.execute(() -> start(permit));
            return true;
        }

        void refuse(Reason reason) {
            if (state.compareAndSet(WAITING, SHED)) {
                emitter.fail(new Refused(reason));
            }
        }

        void waitAtMost(Duration maxWait) {
            cancelTimer = timers.schedule(maxWait, this::timedOut);
            if (state.get() != WAITING) {
                stopTimer(); // granted or gone before the timer was set
            }
        }

        private void timedOut() {
            if (state.compareAndSet(WAITING, SHED)) {
                leave(this);
                emitter.fail(new Refused(Reason.wait_timed_out));
            }
        }

        /** The caller cancelled, or the result was delivered (then there is nothing to do). */
        void callerEnded() {
            callerEnded = true;
            if (state.compareAndSet(WAITING, GONE)) {
                stopTimer();
                leave(this);
                return;
            }
            Cancellable work = started;
            if (work != null) {
                work.cancel();
            }
        }

        private void start(Permit permit) {
            if (callerEnded) {
                permit.release(); // the caller left between the grant and now: nothing was started
                return;
            }
            try {
                started = work.apply(permit).subscribe().with(emitter::complete, emitter::fail);
            } catch (RuntimeException e) {
                permit.release();
                emitter.fail(e);
                return;
            }
            if (callerEnded) {
                started.cancel();
            }
        }

        private void stopTimer() {
            Runnable cancel = cancelTimer;
            if (cancel != null) {
                cancel.run();
            }
        }
    }
}
