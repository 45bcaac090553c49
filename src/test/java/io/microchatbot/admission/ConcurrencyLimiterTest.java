package io.microchatbot.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

import static org.assertj.core.api.Assertions.assertThat;

/** The admission mechanism alone, with timers the test fires by hand (no clock, no sleeping). */
class ConcurrencyLimiterTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<Runnable> timers = new ArrayList<>();
    private final List<Permit> held = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();

    private ConcurrencyLimiter limiter(int limit, int queue) {
        return new ConcurrencyLimiter(limit, queue, (delay, task) -> {
            timers.add(task);
            return () -> timers.remove(task);
        });
    }

    /** Work that starts, answers at once and keeps its permit until the test releases it. */
    private Function<Permit, Uni<String>> holding(String name) {
        return permit -> {
            started.incrementAndGet();
            held.add(permit);
            return Uni.createFrom().item(name);
        };
    }

    private static UniAssertSubscriber<String> subscribe(Uni<String> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    private static void assertRefused(UniAssertSubscriber<String> turn, ConcurrencyLimiter.Reason reason) {
        turn.assertFailedWith(ConcurrencyLimiter.Refused.class);
        assertThat(((ConcurrencyLimiter.Refused) turn.getFailure()).reason()).isEqualTo(reason);
    }

    @Test
    void upToTheLimitRunAtOnceAndTheNextWaitInOrder() {
        ConcurrencyLimiter limiter = limiter(2, 5);
        subscribe(limiter.run(WAIT, holding("a"))).assertItem("a");
        subscribe(limiter.run(WAIT, holding("b"))).assertItem("b");
        UniAssertSubscriber<String> c = subscribe(limiter.run(WAIT, holding("c")));
        UniAssertSubscriber<String> d = subscribe(limiter.run(WAIT, holding("d")));

        c.assertNotTerminated();
        d.assertNotTerminated();
        assertThat(limiter.running()).isEqualTo(2);
        assertThat(limiter.queued()).isEqualTo(2);

        held.get(0).release();
        c.assertItem("c");
        d.assertNotTerminated();
        held.get(1).release();
        d.assertItem("d");
        assertThat(limiter.running()).isEqualTo(2);
        assertThat(limiter.queued()).isZero();
        assertThat(timers).as("the timers of the served waiters are cancelled").isEmpty();
    }

    @Test
    void aTurnWithNoTimeToWaitIsShedAtOnceAndNeverStarts() {
        ConcurrencyLimiter limiter = limiter(1, 5);
        subscribe(limiter.run(WAIT, holding("a")));

        assertRefused(subscribe(limiter.run(Duration.ZERO, holding("b"))), ConcurrencyLimiter.Reason.no_time_to_wait);
        assertThat(started).hasValue(1);
        assertThat(limiter.queued()).isZero();
        assertThat(timers).isEmpty();
    }

    @Test
    void aTurnFindingTheQueueFullIsShedAtOnce() {
        ConcurrencyLimiter limiter = limiter(1, 1);
        subscribe(limiter.run(WAIT, holding("a")));
        subscribe(limiter.run(WAIT, holding("b"))).assertNotTerminated();

        assertRefused(subscribe(limiter.run(WAIT, holding("c"))), ConcurrencyLimiter.Reason.queue_full);
        assertThat(started).hasValue(1);
    }

    @Test
    void aWaiterWhoseWaitRunsOutLeavesTheQueueAndNeverStarts() {
        ConcurrencyLimiter limiter = limiter(1, 1);
        subscribe(limiter.run(WAIT, holding("a")));
        UniAssertSubscriber<String> b = subscribe(limiter.run(WAIT, holding("b")));

        List.copyOf(timers).forEach(Runnable::run);

        assertRefused(b, ConcurrencyLimiter.Reason.wait_timed_out);
        assertThat(limiter.queued()).isZero();
        held.get(0).release();
        assertThat(started).hasValue(1);
        assertThat(limiter.running()).as("the permit went back to the pool, not to the shed waiter").isZero();
    }

    @Test
    void aWaiterWhoseCallerLeavesLeavesTheQueue() {
        ConcurrencyLimiter limiter = limiter(1, 1);
        subscribe(limiter.run(WAIT, holding("a")));
        UniAssertSubscriber<String> b = subscribe(limiter.run(WAIT, holding("b")));

        b.cancel();

        assertThat(limiter.queued()).isZero();
        assertThat(timers).isEmpty();
        subscribe(limiter.run(WAIT, holding("c"))).assertNotTerminated(); // the queue has room again
        held.get(0).release();
        assertThat(started).as("c got the permit, b never started").hasValue(2);
    }

    @Test
    void permitsComeBackAfterFailuresAndAreReleasedOnlyOnce() {
        ConcurrencyLimiter limiter = limiter(1, 0);
        subscribe(limiter.run(WAIT, permit -> {
            throw new IllegalStateException("the work could not even start");
        })).assertFailedWith(IllegalStateException.class);
        assertThat(limiter.running()).isZero();

        subscribe(limiter.run(WAIT, holding("a"))).assertItem("a");
        held.get(0).release();
        held.get(0).release();
        assertThat(limiter.running()).isZero();
        subscribe(limiter.run(WAIT, holding("b"))).assertItem("b");
        assertRefused(subscribe(limiter.run(WAIT, holding("c"))), ConcurrencyLimiter.Reason.queue_full);
    }

    @Test
    void cancellingAfterTheStartReachesTheWork() {
        ConcurrencyLimiter limiter = limiter(1, 0);
        AtomicInteger cancelled = new AtomicInteger();
        UniAssertSubscriber<String> turn = subscribe(limiter.run(WAIT, permit -> Uni.createFrom().<String> nothing()
                .onCancellation().invoke(cancelled::incrementAndGet)
                .onCancellation().invoke(permit::release)));

        turn.cancel();

        assertThat(cancelled).hasValue(1);
        assertThat(limiter.running()).isZero();
    }
}
