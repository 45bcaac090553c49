package io.microchatbot.redis;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import io.microchatbot.config.ChatbotConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Every Redis command of a request goes through here: bounded by the command timeout, skipped while Redis keeps
 * failing (circuit breaker {@value #BREAKER}), and any failure is reported (see {@link RedisTrouble}) and raised as
 * {@link RedisUnavailable} for the caller's fallback.
 */
@ApplicationScoped
public class BoundedRedis {

    public static final String BREAKER = "redis";
    private static final TypeLiteral<Uni<Response>> RESPONSE = new TypeLiteral<>() {
    };
    private static final TypeLiteral<Uni<List<Response>>> RESPONSES = new TypeLiteral<>() {
    };

    private final Redis redis;
    private final RedisTrouble trouble;
    private final Duration timeout;
    private final Guard guard;

    BoundedRedis(Redis redis, RedisTrouble trouble, ChatbotConfig config) {
        this.redis = redis;
        this.trouble = trouble;
        this.timeout = config.redis().commandTimeout();
        this.guard = Guard.create()
                .withDescription("redis")
                .withCircuitBreaker()
                .name(BREAKER)
                .requestVolumeThreshold(10)
                .failureRatio(0.5)
                .delay(config.redis().pause().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .done()
                .build();
    }

    public Uni<Response> send(String operation, Request request) {
        return bounded(operation, () -> redis.send(request), RESPONSE);
    }

    /**
     * Sends the requests pipelined on one connection, in order, and answers once all are answered: one round trip.
     * A failure says nothing about which of them Redis applied.
     */
    public Uni<List<Response>> batch(String operation, List<Request> requests) {
        return bounded(operation, () -> redis.batch(requests), RESPONSES);
    }

    /**
     * As {@link #send(String, Request)}, but an error reply the caller expects (e.g. BUSYGROUP) is an answer from a
     * working Redis: it is turned into {@code answer} and counts as no failure.
     */
    public Uni<Response> send(String operation, Request request, String expectedError, Response answer) {
        return bounded(operation, () -> redis.send(request)
                .onFailure(failure -> String.valueOf(failure.getMessage()).startsWith(expectedError))
                .recoverWithItem(answer), RESPONSE);
    }

    /** Runs a script by its SHA-1, sending its text once if Redis does not have it (NOSCRIPT). */
    public Uni<Response> eval(String operation, LuaScript script, List<String> keys, List<String> args) {
        return bounded(operation, () -> Scripts.run(redis, script, keys, args), RESPONSE);
    }

    public Uni<Response> delete(String operation, List<String> keys) {
        Request request = Request.cmd(Command.DEL);
        keys.forEach(request::arg);
        return send(operation, request);
    }

    /** Closed: Redis is being used; open or half-open: requests are going on without it. */
    public CircuitBreakerState state() {
        try {
            return CircuitBreakerMaintenance.get().currentState(BREAKER);
        } catch (IllegalArgumentException notUsedYet) {
            return CircuitBreakerState.CLOSED;
        }
    }

    /**
     * The answer (or failure) comes back on the caller's Vert.x context: a Hibernate Reactive session in progress
     * must not be touched from the Redis connection's thread or the timeout's.
     */
    private <T> Uni<T> bounded(String operation, Supplier<Uni<T>> command, TypeLiteral<Uni<T>> type) {
        Context caller = Vertx.currentContext();
        Uni<T> answer = guard.get(() -> command.get()
                        .ifNoItem().after(timeout)
                        .failWith(() -> new TimeoutException("no answer within " + timeout.toMillis() + " ms")), type)
                .onFailure().transform(failure -> unavailable(operation, failure));
        return caller == null ? answer : answer.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    private RedisUnavailable unavailable(String operation, Throwable failure) {
        if (!(failure instanceof CircuitBreakerOpenException)) {
            trouble.report(operation, failure);
        } else {
            trouble.skipped(operation);
        }
        return new RedisUnavailable(operation, failure);
    }
}
