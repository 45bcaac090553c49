package io.microchatbot.redis;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

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
    private static final TypeLiteral<Uni<List<Reply>>> REPLIES = new TypeLiteral<>() {
    };

    private final Redis redis;
    private final RedisTrouble trouble;
    private final RedisRoundTrips roundTrips;
    private final Duration timeout;
    private final Guard guard;

    BoundedRedis(Redis redis, RedisTrouble trouble, RedisRoundTrips roundTrips, RedisConfig config) {
        this.redis = redis;
        this.trouble = trouble;
        this.roundTrips = roundTrips;
        this.timeout = config.commandTimeout();
        this.guard = Guard.create()
                .withDescription("redis")
                .withCircuitBreaker()
                .name(BREAKER)
                .requestVolumeThreshold(10)
                .failureRatio(0.5)
                .delay(config.pause().toMillis(), ChronoUnit.MILLIS)
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
     * Sends the steps' calls back to back on one connection, in order, and answers each on its own, aligned with
     * {@code steps} (a step with no call gets {@link Reply#NOT_SENT}): one round trip. Unlike {@link #batch}, an
     * error reply to one call is that call's answer only (NOSCRIPT is retried with the script's text, on that call
     * alone). When Redis is unavailable every reply says so: this never fails.
     */
    public Uni<List<Reply>> pipeline(String operation, List<? extends Pipelined<?>> steps) {
        List<RedisCall> calls = steps.stream().map(Pipelined::call).filter(Objects::nonNull).toList();
        if (calls.isEmpty()) {
            return Uni.createFrom().item(steps.stream().map(step -> Reply.NOT_SENT).toList());
        }
        return bounded(operation, () -> redis.connect()
                .chain(connection -> Uni.join().all(calls.stream()
                        .map(call -> answer(operation, connection, call))
                        .toList())
                        .andFailFast()
                        .eventually(connection::close)),
                REPLIES)
                .onFailure(RedisUnavailable.class).recoverWithItem(failure -> calls.stream()
                        .map(call -> Reply.failed((RedisUnavailable) failure))
                        .toList())
                .map(replies -> aligned(steps, replies));
    }

    /** One step on its own: its outcome, fallbacks included. */
    public <T> Uni<T> send(String operation, Pipelined<T> step) {
        return pipeline(operation, List.of(step))
                .map(replies -> step.settle(replies.get(0)));
    }

    private static List<Reply> aligned(List<? extends Pipelined<?>> steps, List<Reply> sent) {
        List<Reply> replies = new ArrayList<>(steps.size());
        Iterator<Reply> next = sent.iterator();
        steps.forEach(step -> replies.add(step.call() == null ? Reply.NOT_SENT : next.next()));
        return replies;
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

    /** Vert.x raises an error reply as its core {@code Response}, not as the Mutiny wrapper this class imports. */
    private static boolean isErrorReply(Throwable failure) {
        return failure instanceof io.vertx.redis.client.Response;
    }

    /** A call's answer; an error reply (a {@link Response} raised as failure) is Redis working, so only this call's. */
    private Uni<Reply> answer(String operation, RedisConnection connection, RedisCall call) {
        Uni<Response> sent = call.script() == null
                ? connection.send(call.request())
                : Scripts.run(connection::send, call.script(), call.keys(), call.args());
        return sent.map(Reply::of)
                .onFailure(BoundedRedis::isErrorReply)
                .recoverWithItem(error -> {
                    trouble.report(operation, error);
                    return Reply.failed(new RedisUnavailable(operation, error));
                });
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
        Uni<T> answer = guard.get(() -> timed(operation, command.get()
                .ifNoItem().after(timeout)
                .failWith(() -> new TimeoutException("no answer within " + timeout.toMillis() + " ms"))), type)
                .onFailure().transform(failure -> unavailable(operation, failure));
        return caller == null ? answer : answer.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    /** Only what was sent counts: a call the breaker skipped never reaches this. */
    private <T> Uni<T> timed(String operation, Uni<T> sent) {
        return Uni.createFrom().deferred(() -> {
            long startedAt = System.nanoTime();
            return sent.onTermination().invoke(() -> roundTrips.record(operation, startedAt));
        });
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
