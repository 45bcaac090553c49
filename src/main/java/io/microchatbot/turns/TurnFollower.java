package io.microchatbot.turns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.api.TurnPaths;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.service.TurnConfig;
import io.microchatbot.service.TurnEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Follows a turn from any replica, as server-sent events numbered as in the turn's own stream: the events after
 * {@code Last-Event-ID} that its feed holds, then new ones as they come (the feed is polled, see ADR 0016), to the
 * one terminal event. A turn that ended is replayed from its feed while Redis keeps it, else from PostgreSQL (its
 * last input and its stored outcome). Whatever happens to the feed, the follower ends on the stored reply: a feed
 * that stops (Redis failed while the turn ran) or a turn whose pod died is watched in PostgreSQL until its reply
 * is there. A running turn cannot be followed while Redis is down: {@code 503 coordination_unavailable}.
 */
@ApplicationScoped
public class TurnFollower {

    private static final int BATCH = 512;
    /** A reply stored without its terminal event in the feed yet: the feed gets this long before it is replaced. */
    private static final Duration TERMINAL_GRACE = Duration.ofSeconds(2);
    private static final Duration DATABASE_CHECK = Duration.ofSeconds(1);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final BoundedRedis redis;
    private final TurnLookup lookup;
    private final TurnEventJson json;
    private final TurnConfig config;

    TurnFollower(BoundedRedis redis, TurnLookup lookup, TurnEventJson json, TurnConfig config) {
        this.redis = redis;
        this.lookup = lookup;
        this.json = json;
        this.config = config;
    }

    /** The conversation's newest turn; {@code after} is the Last-Event-ID (0 for all). */
    public Uni<Multi<String>> current(Caller caller, UUID conversationId, long after) {
        return lookup.current(caller, conversationId)
                .chain(state -> follow(caller, state, after));
    }

    public Uni<Multi<String>> of(Caller caller, UUID conversationId, UUID messageId, long after) {
        return lookup.of(caller, conversationId, messageId)
                .chain(state -> follow(caller, state, after));
    }

    private Uni<Multi<String>> follow(Caller caller, TurnState state, long after) {
        Following following = new Following(caller, state, after);
        return read(following)
                .map(first -> first.isEmpty() && following.done ? Multi.createFrom().<String> empty()
                        : Multi.createFrom().iterable(first).onCompletion().switchTo(() -> following.done
                                ? Multi.createFrom().empty()
                                : polled(following)))
                .onFailure(RedisUnavailable.class).recoverWithUni(failure -> state.running()
                        ? Uni.createFrom().failure(new ApiException(ErrorCode.coordination_unavailable,
                                "The turn runs, but its events cannot be read: Redis is unavailable. The turn is not"
                                        + " affected; read its reply when it is done",
                                2))
                        : Uni.createFrom().item(Multi.createFrom().iterable(fromDatabase(following))));
    }

    private Multi<String> polled(Following following) {
        return Multi.createBy().repeating()
                .uni(() -> following.done ? Uni.createFrom().item(List.<String> of()) : poll(following))
                .withDelay(config.followInterval())
                .until(chunks -> following.finished())
                .onItem().transformToIterable(chunks -> chunks);
    }

    /** The feed's entries after the last one sent; the terminal one ends the following. */
    private Uni<List<String>> read(Following following) {
        Request range = Request.cmd(Command.XRANGE).arg(RedisTurnFeed.key(following.state.messageId()))
                .arg("(0-" + following.last).arg("+").arg("COUNT").arg(BATCH);
        return redis.send("turn-follow", range)
                .map(entries -> following.entries(entries))
                .invoke(chunks -> {
                    if (!following.done && !following.state.running() && following.feedEmpty()) {
                        // Ended, and the feed holds nothing (expired, or never written): the stored outcome.
                        chunks.addAll(fromDatabase(following));
                    }
                });
    }

    /**
     * One look at the feed, and, now and then while it brings no terminal event, at PostgreSQL: a turn found ended
     * there whose feed stays without a terminal event gets the stored one. Redis failing now only leaves
     * PostgreSQL to watch.
     */
    private Uni<List<String>> poll(Following following) {
        Uni<List<String>> fromFeed = following.feedBroken ? Uni.createFrom().item(new ArrayList<>())
                : read(following).onFailure(RedisUnavailable.class).recoverWithItem(failure -> {
                    following.feedBroken = true;
                    return new ArrayList<>();
                });
        return fromFeed.chain(chunks -> following.done || !following.databaseCheckDue()
                ? Uni.createFrom().item(following.withHeartbeat(chunks))
                : recheck(following).map(ended -> {
                    chunks.addAll(ended);
                    return following.withHeartbeat(chunks);
                }));
    }

    private Uni<List<String>> recheck(Following following) {
        TurnState state = following.state;
        return lookup.of(following.caller, state.conversationId(), state.messageId())
                .map(now -> {
                    if (now.running()) {
                        return List.<String> of();
                    }
                    following.state = now;
                    return following.endedLongEnough() ? List.of(following.terminal(now)) : List.<String> of();
                });
    }

    /** An ended turn from PostgreSQL: its last input (unless the caller saw events already), then its outcome. */
    private List<String> fromDatabase(Following following) {
        List<String> chunks = new ArrayList<>(2);
        if (following.last == 0) {
            chunks.add(following.chunk(new TurnEvent.UserMessageStored(following.state.input())));
        }
        chunks.add(following.terminal(following.state));
        return chunks;
    }

    /** One follower's progress. */
    private final class Following {
        private final Caller caller;
        private final String instance;
        private final String correlationId = CorrelationId.current();
        private volatile TurnState state;
        private volatile long last;
        private volatile boolean done;
        private volatile boolean sentFinal;
        private volatile boolean sawEntries;
        private volatile boolean feedBroken;
        private volatile long lastCheckNanos = System.nanoTime();
        private volatile long lastSentNanos = System.nanoTime();
        private volatile Long endedSeenNanos;

        Following(Caller caller, TurnState state, long after) {
            this.caller = caller;
            this.state = state;
            this.last = after;
            this.instance = TurnPaths.messages(state.conversationId());
        }

        List<String> entries(Response entries) {
            List<String> chunks = new ArrayList<>(entries == null ? 0 : entries.size());
            if (entries == null) {
                return chunks;
            }
            for (int e = 0; e < entries.size(); e++) {
                Response entry = entries.get(e);
                long sequence = RedisTurnFeed.sequence(entry.get(0).toString());
                Response fields = entry.get(1);
                String name = null;
                String data = null;
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    switch (fields.get(i).toString()) {
                        case "event" -> name = fields.get(i + 1).toString();
                        case "data" -> data = fields.get(i + 1).toString();
                        default -> {
                        }
                    }
                }
                sawEntries = true;
                last = sequence;
                chunks.add(TurnEventJson.sse(sequence, name, data));
                if (TurnEventJson.terminal(name)) {
                    done = true;
                    break;
                }
            }
            if (!chunks.isEmpty()) {
                lastSentNanos = System.nanoTime();
            }
            return chunks;
        }

        boolean feedEmpty() {
            return !sawEntries;
        }

        /** The turn's stored outcome, numbered after what was sent; it ends the following. */
        String terminal(TurnState ended) {
            done = true;
            TurnEvent event = ended.reply() != null ? json.terminalOf(ended.reply())
                    : new TurnEvent.Failed(null, new ApiException(ErrorCode.turn_interrupted,
                            "The turn ended without a stored reply (its pod stopped, or the reply could not be"
                                    + " stored); its reply, if the recovery job writes one, is in the conversation"));
            return chunk(event);
        }

        String chunk(TurnEvent event) {
            long sequence = ++last;
            lastSentNanos = System.nanoTime();
            return TurnEventJson.sse(sequence, TurnEventJson.name(event), json.data(event, instance, correlationId));
        }

        boolean databaseCheckDue() {
            long now = System.nanoTime();
            if (now - lastCheckNanos < DATABASE_CHECK.toNanos()) {
                return false;
            }
            lastCheckNanos = now;
            return true;
        }

        boolean endedLongEnough() {
            if (feedBroken || !sawEntries) {
                return true;
            }
            long now = System.nanoTime();
            if (endedSeenNanos == null) {
                endedSeenNanos = now;
            }
            return now - endedSeenNanos >= TERMINAL_GRACE.toNanos();
        }

        List<String> withHeartbeat(List<String> chunks) {
            if (chunks.isEmpty() && System.nanoTime() - lastSentNanos >= HEARTBEAT.toNanos()) {
                lastSentNanos = System.nanoTime();
                chunks.add(": keep-alive\n\n");
            }
            return chunks;
        }

        /** True once the chunks with the terminal event went out: the poll after them stops the repetition. */
        boolean finished() {
            if (!done) {
                return false;
            }
            boolean already = sentFinal;
            sentFinal = true;
            return already;
        }
    }
}
