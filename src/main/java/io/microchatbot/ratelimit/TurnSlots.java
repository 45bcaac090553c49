package io.microchatbot.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.RedisUnavailable;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Command;

/**
 * Bounds the turns one caller has running at once, across replicas, so that one caller cannot fill the LLM
 * bulkhead. A turn's place is a member of a Redis sorted set scored by its lease expiry, renewed while the turn
 * runs: when a pod dies its places expire after {@code chatbot.rate-limit.turn-lease}. Without Redis each pod
 * counts its own turns against its share of the limit.
 */
@ApplicationScoped
public class TurnSlots {

    private static final LuaScript SLOTS = LuaScript.load("turn-slots");

    private final ChatbotConfig config;
    private final BoundedRedis redis;
    private final RateLimiter limiter;
    private final Vertx vertx;
    private final Map<String, AtomicInteger> localRunning = new ConcurrentHashMap<>();

    TurnSlots(ChatbotConfig config, BoundedRedis redis, RateLimiter limiter, Vertx vertx) {
        this.config = config;
        this.redis = redis;
        this.limiter = limiter;
        this.vertx = vertx;
    }

    /** A place for one more turn of the caller, or 429 rate_limited when it has the most it may have running. */
    public Uni<TurnSlot> acquire(Caller caller) {
        ChatbotConfig.RateLimit limits = config.rateLimit();
        if (!limits.enabled()) {
            return Uni.createFrom().item(TurnSlot.NONE);
        }
        String key = key(caller);
        String turn = UUID.randomUUID().toString();
        return redis.eval("turn-slot", SLOTS, List.of(key), List.of("acquire", turn, leaseMillis(),
                        Integer.toString(limits.maxConcurrentTurns())))
                .map(answer -> answer.get(0).toInteger() == 1 ? held(key, turn) : refuse(answer.get(1).toInteger()))
                .onFailure(RedisUnavailable.class).recoverWithItem(() -> acquireLocally(key));
    }

    static String key(Caller caller) {
        return RateLimiter.prefix(caller.tenantId()) + "turns-running:" + caller.userId();
    }

    private TurnSlot held(String key, String turn) {
        long every = Math.max(1000, config.rateLimit().turnLease().toMillis() / 3);
        long timer = vertx.setPeriodic(every, id -> redis.eval("turn-slot", SLOTS, List.of(key),
                        List.of("renew", turn, leaseMillis(), "0"))
                .subscribe().with(renewed -> {
                }, failure -> {
                    // Reported by BoundedRedis; the lease then runs out on its own.
                }));
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            vertx.cancelTimer(timer);
            return redis.send("turn-slot", Request.cmd(Command.ZREM).arg(key).arg(turn))
                    .replaceWithVoid()
                    .onFailure(RedisUnavailable.class).recoverWithNull();
        };
    }

    private TurnSlot acquireLocally(String key) {
        int max = Math.max(1, config.rateLimit().maxConcurrentTurns() / config.rateLimit().replicas());
        AtomicInteger running = localRunning.computeIfAbsent(key, k -> new AtomicInteger());
        if (running.incrementAndGet() > max) {
            running.decrementAndGet();
            return refuse(max);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                running.decrementAndGet();
            }
            return Uni.createFrom().voidItem();
        };
    }

    private TurnSlot refuse(int running) {
        limiter.rejected("concurrent_turns");
        throw new ApiException(ErrorCode.rate_limited, "This caller already has " + running
                + " turns running, the most it may have at once; send this one when one of them is done",
                config.turn().busyRetryAfterSeconds());
    }

    private String leaseMillis() {
        return Long.toString(config.rateLimit().turnLease().toMillis());
    }
}
