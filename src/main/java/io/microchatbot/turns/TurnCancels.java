package io.microchatbot.turns;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.microchatbot.Message;
import io.microchatbot.event.Periodic;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.service.RunningTurns;
import io.microchatbot.service.TurnConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Cancels a running turn from any replica. The replica that runs it cuts it at once; any other leaves a flag in
 * Redis, {@code chatbot:turn:{<messageId>}:cancel}, that the running replica finds within
 * {@code chatbot.turn.cancel-poll-interval}: every replica looks for the flags of all the turns it runs in one
 * MGET, and only while it runs any. The cancel then waits (up to {@code chatbot.turn.cancel-wait}) for the reply to
 * be stored, so that its answer says how the turn ended.
 */
@ApplicationScoped
public class TurnCancels {

    private static final Duration STORED_CHECK = Duration.ofMillis(100);

    private final BoundedRedis redis;
    private final RunningTurns running;
    private final TurnLookup lookup;
    private final TurnConfig config;
    private final Vertx vertx;
    private long timer = -1;

    TurnCancels(BoundedRedis redis, RunningTurns running, TurnLookup lookup, TurnConfig config, Vertx vertx) {
        this.redis = redis;
        this.running = running;
        this.lookup = lookup;
        this.config = config;
        this.vertx = vertx;
    }

    /** How a cancel ended: the stored reply, or null when it was not stored within the wait (still settling). */
    public record Cancelled(UUID conversationId, UUID messageId, Message reply) {
    }

    /**
     * 404 when the caller has no such turn, 409 turn_not_running when it has ended; 503 coordination_unavailable
     * when another replica runs it and Redis cannot be reached.
     */
    public Uni<Cancelled> cancel(Caller caller, UUID conversationId, UUID messageId) {
        return lookup.of(caller, conversationId, messageId)
                .chain(state -> {
                    if (!state.running()) {
                        throw new ApiException(ErrorCode.turn_not_running, state.reply() != null
                                ? "The turn has ended; its reply is stored as " + state.reply().status
                                : "The turn has ended without a stored reply");
                    }
                    return signal(messageId);
                })
                .chain(() -> storedWithin(caller, conversationId, messageId,
                        System.nanoTime() + config.cancelWait().toNanos()))
                .map(reply -> new Cancelled(conversationId, messageId, reply));
    }

    private Uni<Void> signal(UUID messageId) {
        if (running.cancel(messageId, cancelled())) {
            return Uni.createFrom().voidItem();
        }
        Request flag = Request.cmd(Command.SET).arg(flagKey(messageId)).arg("1").arg("PX")
                .arg(config.lease().toMillis());
        return redis.send("turn-cancel", flag)
                .onFailure(RedisUnavailable.class).transform(failure -> new ApiException(
                        ErrorCode.coordination_unavailable, "Another replica runs this turn, and it cannot be told"
                                + " to stop: Redis is unavailable",
                        2))
                .replaceWithVoid();
    }

    private Uni<Message> storedWithin(Caller caller, UUID conversationId, UUID messageId, long deadlineNanos) {
        return lookup.of(caller, conversationId, messageId)
                .chain(state -> {
                    if (!state.running() || System.nanoTime() >= deadlineNanos) {
                        return Uni.createFrom().item(state.reply());
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(STORED_CHECK)
                            .chain(() -> storedWithin(caller, conversationId, messageId, deadlineNanos));
                });
    }

    static ApiException cancelled() {
        return new ApiException(ErrorCode.cancelled, "The turn was cancelled before its reply was complete");
    }

    static String flagKey(UUID messageId) {
        return "chatbot:turn:{" + messageId + "}:cancel";
    }

    void start(@Observes StartupEvent event) {
        timer = Periodic.every(vertx, config.cancelPollInterval(), "Looking for cancelled turns", this::lookForCancels);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** One MGET for the flags of every turn this replica runs; nothing to send while it runs none. */
    private Uni<Void> lookForCancels() {
        List<UUID> ids = running.ids();
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Request flags = Request.cmd(Command.MGET);
        ids.forEach(id -> flags.arg(flagKey(id)));
        return redis.send("turn-cancel-poll", flags)
                .invoke(values -> cancelFlagged(ids, values))
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }

    private void cancelFlagged(List<UUID> ids, Response values) {
        for (int i = 0; i < ids.size() && i < values.size(); i++) {
            if (values.get(i) != null) {
                running.cancel(ids.get(i), cancelled());
            }
        }
    }
}
