package io.microchatbot.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * The per-pod buckets used while Redis is unreachable: the same arithmetic as {@code token-buckets.lua}, on this
 * pod's clock. Buckets unused for an hour are forgotten (refilled long since, as their Redis keys expire).
 */
@ApplicationScoped
public class LocalBuckets {

    private final Map<String, State> buckets = new ConcurrentHashMap<>();

    /** Takes every bucket's cost, or nothing when one of them lacks it. */
    public Quota take(List<Bucket> wanted) {
        long now = nowMicros();
        State[] states = new State[wanted.size()];
        for (int i = 0; i < states.length; i++) {
            Bucket bucket = wanted.get(i);
            states[i] = buckets.computeIfAbsent(bucket.key(), key -> new State(bucket.capacity(), now));
        }
        // One lock at a time in a fixed order is enough: a request holds them only while doing arithmetic.
        synchronized (this) {
            boolean allowed = true;
            long retry = 0;
            for (int i = 0; i < states.length; i++) {
                Bucket bucket = wanted.get(i);
                states[i].refill(bucket, now);
                if (states[i].tokens < bucket.cost()) {
                    allowed = false;
                    retry = Math.max(retry, (long) Math.ceil((bucket.cost() - states[i].tokens) * 1000 / bucket.rate()));
                }
            }
            Quota shown = null;
            for (int i = 0; i < states.length; i++) {
                Bucket bucket = wanted.get(i);
                if (allowed) {
                    states[i].tokens -= bucket.cost();
                }
                long untilFull = (long) Math.ceil((bucket.capacity() - states[i].tokens) * 1000 / bucket.rate());
                Quota quota = new Quota(allowed, retry, (long) bucket.capacity(), (long) Math.floor(states[i].tokens),
                        untilFull, Quota.LOCAL);
                if (bucket.shown() && (shown == null || quota.remaining() < shown.remaining())) {
                    shown = quota;
                }
            }
            return shown != null ? shown : new Quota(allowed, retry, 0, 0, 0, Quota.LOCAL);
        }
    }

    /** Charges a bucket after the fact; it may go into debt. */
    public synchronized void charge(Bucket bucket, double amount) {
        long now = nowMicros();
        State state = buckets.computeIfAbsent(bucket.key(), key -> new State(bucket.capacity(), now));
        state.refill(bucket, now);
        state.tokens -= amount;
    }

    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void forgetFullBuckets() {
        long now = nowMicros();
        buckets.values().removeIf(state -> state.idleSince(now) > 3_600_000_000L);
    }

    private static long nowMicros() {
        return System.nanoTime() / 1000;
    }

    private static final class State {
        double tokens;
        long at;

        State(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(Bucket bucket, long now) {
            if (now > at) {
                tokens = Math.min(bucket.capacity(), tokens + (now - at) * bucket.rate() / 1_000_000);
                at = now;
            }
        }

        long idleSince(long now) {
            return now - at;
        }
    }
}
