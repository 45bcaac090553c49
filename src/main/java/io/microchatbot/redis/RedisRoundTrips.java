package io.microchatbot.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every round trip to Redis by operation ({@code chatbot.redis.round.trips}): a pipeline counts once, so the
 * count says how often a request waited on Redis. Timers are kept per operation: this runs several times a turn.
 */
@ApplicationScoped
public class RedisRoundTrips {

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    RedisRoundTrips(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String operation, long startedAtNanos) {
        timers.computeIfAbsent(operation, name -> Timer.builder("chatbot.redis.round.trips")
                .description("Round trips to Redis (a pipeline is one), by operation, answered or failed")
                .tag("operation", name)
                .register(registry))
                .record(System.nanoTime() - startedAtNanos, TimeUnit.NANOSECONDS);
    }
}
