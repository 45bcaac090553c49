package io.microchatbot.redis;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Counts Redis failures per operation and logs them at most once per interval: while Redis is down every request
 * would otherwise log the same line.
 */
@ApplicationScoped
public class RedisTrouble {

    private final MeterRegistry registry;
    private final long intervalNanos;
    private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    RedisTrouble(MeterRegistry registry, RedisConfig config) {
        this.registry = registry;
        this.intervalNanos = config.errorLogInterval().toNanos();
    }

    public void report(String operation, Throwable failure) {
        Counter.builder("chatbot.redis.errors")
                .description("Redis commands that failed or timed out; the request went on without Redis")
                .tag("operation", operation)
                .register(registry)
                .increment();
        long now = System.nanoTime();
        long due = nextLogAt.get();
        if (now - due >= 0 && nextLogAt.compareAndSet(due, now + intervalNanos)) {
            long others = suppressed.getAndSet(0);
            Log.warnf("Redis unavailable (%s: %s); going on without it%s", operation, failure.getMessage(),
                    others == 0 ? "" : " (" + others + " more failures since the last report)");
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** A command not sent at all because Redis is paused (its circuit breaker is open). */
    public void skipped(String operation) {
        Counter.builder("chatbot.redis.skipped")
                .description("Redis commands not sent while Redis was paused after failures")
                .tag("operation", operation)
                .register(registry)
                .increment();
    }
}
