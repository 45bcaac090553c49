package io.microchatbot.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.RedisCall;
import io.microchatbot.redis.Reply;
import io.microchatbot.service.TurnConfig;
import io.vertx.core.Vertx;

/**
 * Bounds the turns one caller has running at once, across replicas, so that one caller cannot fill the LLM
 * bulkhead. A turn's place is a member of a Redis sorted set scored by its lease expiry, renewed while the turn
 * runs: when a pod dies its places expire after {@code chatbot.rate-limit.turn-lease}. Without Redis each pod
 * counts its own turns against its share of the limit.
 */
@ApplicationScoped
public class TurnSlots {

    private static final LuaScript SLOTS = LuaScript.load("turn-slots");

    private final RateLimitConfig config;
    private final TurnConfig turns;
    private final BoundedRedis redis;
    private final RateLimiter limiter;
    private final Vertx vertx;
    private final Map<String, AtomicInteger> localRunning = new ConcurrentHashMap<>();

    TurnSlots(RateLimitConfig config, TurnConfig turns, BoundedRedis redis, RateLimiter limiter, Vertx vertx) {
        this.config = config;
        this.turns = turns;
        this.redis = redis;
        this.limiter = limiter;
        this.vertx = vertx;
    }

    /**
     * A place for one more turn of the caller, or 429 rate_limited when it has the most it may have running: a step
     * of the pipeline that opens the turn.
     */
    public Pipelined<TurnSlot> acquisition(Caller caller) {
        RateLimitConfig limits = config;
        if (!limits.enabled()) {
            return Pipelined.known(TurnSlot.NONE);
        }
        String key = key(caller);
        String turn = UUID.randomUUID().toString();
        return new Pipelined<>(RedisCall.script(SLOTS, List.of(key), List.of("acquire", turn, leaseMillis(),
                Integer.toString(limits.maxConcurrentTurns()))), reply -> slot(reply, key, turn));
    }

    private TurnSlot slot(Reply reply, String key, String turn) {
        if (!reply.answered()) {
            return acquireLocally(key);
        }
        return reply.response().get(0).toInteger() == 1
                ? held(key, turn)
                : refuse(reply.response().get(1).toInteger());
    }

    static String key(Caller caller) {
        return RateLimiter.prefix(caller.tenantId()) + "turns-running:" + caller.userId();
    }

    private TurnSlot held(String key, String turn) {
        long every = Math.max(1000, config.turnLease().toMillis() / 3);
        long timer = vertx.setPeriodic(every, id -> redis.eval("turn-slot", SLOTS, List.of(key),
                List.of("renew", turn, leaseMillis(), "0"))
                .subscribe().with(renewed -> {
                }, failure -> {
                    // Reported by BoundedRedis; the lease then runs out on its own.
                }));
        return new SharedTurnSlot(redis, vertx, key, turn, timer);
    }

    private TurnSlot acquireLocally(String key) {
        int max = Math.max(1, config.maxConcurrentTurns() / config.replicas());
        AtomicInteger running = localRunning.computeIfAbsent(key, k -> new AtomicInteger());
        if (running.incrementAndGet() > max) {
            running.decrementAndGet();
            return refuse(max);
        }
        return new LocalTurnSlot(running);
    }

    private TurnSlot refuse(int running) {
        limiter.rejected("concurrent_turns");
        throw new ApiException(ErrorCode.rate_limited, "This caller already has " + running
                + " turns running, the most it may have at once; send this one when one of them is done",
                turns.busyRetryAfterSeconds());
    }

    private String leaseMillis() {
        return Long.toString(config.turnLease().toMillis());
    }
}
