package io.microchatbot.redis;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Typed stream commands bounded as {@link BoundedRedis} bounds a request's: a timeout, round trips timed, and any
 * failure reported ({@link RedisTrouble}) and raised as {@link RedisUnavailable}. No circuit breaker: the consumer
 * loop backs off on its own.
 */
final class BoundedStreams {

    private final ReactiveStreamCommands<String, String, String> commands;
    private final Duration timeout;
    private final RedisTrouble trouble;
    private final RedisRoundTrips roundTrips;
    private volatile boolean quiet;

    BoundedStreams(ReactiveStreamCommands<String, String, String> commands, Duration timeout, RedisTrouble trouble,
            RedisRoundTrips roundTrips) {
        this.commands = commands;
        this.timeout = timeout;
        this.trouble = trouble;
        this.roundTrips = roundTrips;
    }

    <T> Uni<T> call(String operation, Function<ReactiveStreamCommands<String, String, String>, Uni<T>> command) {
        return call(operation, timeout, command);
    }

    /**
     * The answer (or failure) comes back on the caller's Vert.x context: a Hibernate Reactive session in progress
     * must not be touched from the Redis connection's thread or the timeout's.
     */
    <T> Uni<T> call(String operation, Duration within,
            Function<ReactiveStreamCommands<String, String, String>, Uni<T>> command) {
        Context caller = Vertx.currentContext();
        Uni<T> answer = Uni.createFrom().deferred(() -> timed(operation, command.apply(commands)
                .ifNoItem().after(within)
                .failWith(() -> new TimeoutException("no answer within " + within.toMillis() + " ms"))))
                .onFailure().transform(failure -> unavailable(operation, failure));
        return caller == null ? answer : answer.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    /** From now on failures are only raised, not reported: they are those of a consumer stopping. */
    void quiet() {
        quiet = true;
    }

    private <T> Uni<T> timed(String operation, Uni<T> sent) {
        long startedAt = System.nanoTime();
        return sent.onTermination().invoke(() -> roundTrips.record(operation, startedAt));
    }

    private RedisUnavailable unavailable(String operation, Throwable failure) {
        if (!quiet) {
            trouble.report(operation, failure);
        }
        return new RedisUnavailable(operation, failure);
    }
}
