package io.microchatbot.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;

import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.RedisCall;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/** A place in the caller's Redis set of running turns, renewed until released; a failed release lets it expire. */
final class SharedTurnSlot implements TurnSlot {

    private final BoundedRedis redis;
    private final Vertx vertx;
    private final String key;
    private final String turn;
    private final long renewTimer;
    private final AtomicBoolean released = new AtomicBoolean();

    SharedTurnSlot(BoundedRedis redis, Vertx vertx, String key, String turn, long renewTimer) {
        this.redis = redis;
        this.vertx = vertx;
        this.key = key;
        this.turn = turn;
        this.renewTimer = renewTimer;
    }

    @Override
    public Uni<Void> release() {
        return redis.send("turn-slot", releaseStep());
    }

    @Override
    public Pipelined<Void> releaseStep() {
        if (!released.compareAndSet(false, true)) {
            return Pipelined.known(null);
        }
        vertx.cancelTimer(renewTimer);
        return new Pipelined<>(RedisCall.command(Request.cmd(Command.ZREM).arg(key).arg(turn)), reply -> null);
    }
}
