package io.microchatbot.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Message;
import io.microchatbot.cache.CacheMetrics.Result;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.RedisCall;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.redis.Reply;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The newest messages of each conversation in Redis, keyed {@code chatbot:<tenant>:conv:{<id>}:messages|version}.
 * <p>
 * Consistency rests on the conversation's {@code message_count}, which every message insert increments in its own
 * transaction: an entry is stamped with the count it is the state of and is used only when that equals the count
 * just read from PostgreSQL. Entries are written only after their transaction committed, so the cache never shows
 * an uncommitted message; a writer that skipped it (the recovery job, a failed Redis call) leaves it one count
 * behind, so it is a miss rather than a stale answer. Redis failures are counted and turn into misses.
 */
@ApplicationScoped
public class ContextCache {

    /** Namespace of the turn's context reads. */
    public static final String CONTEXT = "context";
    /** Namespace of first pages of {@code GET …/messages}. */
    public static final String MESSAGES = "messages";

    private static final LuaScript READ = LuaScript.load("context-read");
    private static final LuaScript FILL = LuaScript.load("context-fill");
    private static final LuaScript APPEND = LuaScript.load("context-append");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BoundedRedis redis;
    private final CacheMetrics metrics;
    private final boolean enabled;
    private final int maxMessages;
    private final String ttlMillis;

    ContextCache(BoundedRedis redis, CacheMetrics metrics, CacheConfig config, LlmConfig llm) {
        this.redis = redis;
        this.metrics = metrics;
        this.enabled = config.enabled();
        this.maxMessages = llm.contextMaxMessages();
        this.ttlMillis = Long.toString(config.ttl().toMillis());
    }

    /** Messages kept per conversation: as many as a turn's context reads. */
    public int maxMessages() {
        return maxMessages;
    }

    /**
     * The newest messages, newest first, when the cache holds the conversation's state at {@code messageCount};
     * empty on a miss or when Redis fails.
     */
    public Uni<Optional<List<Message>>> newest(String namespace, String tenantId, UUID conversationId,
            long messageCount) {
        if (!enabled) {
            return Uni.createFrom().item(Optional.empty());
        }
        return redis.eval("cache-read", READ, keys(tenantId, conversationId),
                List.of(Long.toString(messageCount), ttlMillis))
                .map(ContextCache::messages)
                .invoke(found -> metrics.count(namespace, found.isPresent() ? Result.hit : Result.miss))
                .onFailure(RedisUnavailable.class).recoverWithItem(() -> {
                    metrics.count(namespace, Result.error);
                    return Optional.empty();
                });
    }

    /**
     * Whatever state the cache holds, at the count it is stamped with; empty on a miss or when Redis fails. Read
     * before the conversation's count is known (at the same time as it): the caller compares the two and reports a
     * found entry as a hit or a miss with {@link #counted}.
     */
    public Uni<Optional<CachedContext>> snapshot(String tenantId, UUID conversationId) {
        return redis.send("cache-read", snapshotStep(tenantId, conversationId));
    }

    /** {@link #snapshot} as a step of a pipeline the turn sends with its other Redis calls. */
    public Pipelined<Optional<CachedContext>> snapshotStep(String tenantId, UUID conversationId) {
        if (!enabled) {
            return Pipelined.known(Optional.empty());
        }
        return new Pipelined<>(RedisCall.script(READ, keys(tenantId, conversationId), List.of("", ttlMillis)),
                this::snapshot);
    }

    private Optional<CachedContext> snapshot(Reply reply) {
        if (!reply.answered()) {
            metrics.count(CONTEXT, Result.error);
            return Optional.empty();
        }
        Optional<CachedContext> found = messages(reply.response())
                .map(messages -> new CachedContext(Long.parseLong(reply.response().get(2).toString()), messages));
        if (found.isEmpty()) {
            metrics.count(CONTEXT, Result.miss);
        }
        return found;
    }

    /** Counts a {@link #snapshot} lookup as a hit when it held the state the turn needed. */
    public void counted(String namespace, boolean hit) {
        if (enabled) {
            metrics.count(namespace, hit ? Result.hit : Result.miss);
        }
    }

    /**
     * Caches the state at {@code messageCount}; {@code newestFirst} must be the conversation's newest committed
     * messages (all of them when it has fewer than {@link #maxMessages()}), read while no message could be added.
     */
    public Uni<Void> fill(String tenantId, UUID conversationId, long messageCount, List<Message> newestFirst) {
        return redis.send("cache-fill", fillStep(tenantId, conversationId, messageCount, newestFirst));
    }

    /** {@link #fill} as a step of a pipeline. */
    public Pipelined<Void> fillStep(String tenantId, UUID conversationId, long messageCount,
            List<Message> newestFirst) {
        if (!enabled) {
            return Pipelined.known(null);
        }
        List<Message> kept = newestFirst.subList(0, Math.min(maxMessages, newestFirst.size()));
        List<String> args = new ArrayList<>(kept.size() + 3);
        args.add(Long.toString(messageCount));
        args.add(kept.isEmpty() ? "0" : Long.toString(CachedMessage.micros(kept.get(0).createdAt)));
        args.add(ttlMillis);
        kept.forEach(message -> args.add(json(message)));
        return write(RedisCall.script(FILL, keys(tenantId, conversationId), args));
    }

    /**
     * Adds a committed message that brought its conversation's count to {@code messageCount}: a step of the pipeline
     * that ends a turn.
     */
    public Pipelined<Void> appendStep(Message message, long messageCount) {
        if (!enabled) {
            return Pipelined.known(null);
        }
        return write(RedisCall.script(APPEND, keys(message.tenantId, message.conversationId),
                List.of(Long.toString(messageCount), Long.toString(CachedMessage.micros(message.createdAt)),
                        json(message), Integer.toString(maxMessages), ttlMillis)));
    }

    /** {@link #appendStep} on its own, for a message stored apart from a turn (a summary). */
    public Uni<Void> append(Message message, long messageCount) {
        return enabled ? redis.send("cache-append", appendStep(message, messageCount))
                .onFailure(RedisUnavailable.class).recoverWithNull() : Uni.createFrom().voidItem();
    }

    /** Drops a conversation's entry (after it was changed or deleted). */
    public Uni<Void> invalidate(String tenantId, UUID conversationId) {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        return ignoreFailure(redis.delete("cache-invalidate", keys(tenantId, conversationId)));
    }

    static List<String> keys(String tenantId, UUID conversationId) {
        // The id in braces is the hash tag: both keys of a conversation live in one Redis Cluster slot.
        String prefix = "chatbot:" + tenantId + ":conv:{" + conversationId + "}:";
        return List.of(prefix + "version", prefix + "messages");
    }

    private static Optional<List<Message>> messages(Response response) {
        if (response.get(0).toInteger() != 1) {
            return Optional.empty();
        }
        Response list = response.get(1);
        List<Message> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Optional<Message> message = parse(list.get(i).toString());
            if (message.isEmpty()) {
                return Optional.empty();
            }
            messages.add(message.get());
        }
        return Optional.of(messages);
    }

    /** A failed write leaves the entry behind the database's count: a later read misses, nothing is wrong. */
    private static Pipelined<Void> write(RedisCall call) {
        return new Pipelined<>(call, reply -> null);
    }

    private static Uni<Void> ignoreFailure(Uni<Response> write) {
        return write.replaceWithVoid()
                .onFailure(RedisUnavailable.class).recoverWithNull();
    }

    private static String json(Message message) {
        try {
            return JSON.writeValueAsString(CachedMessage.of(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A message could not be written as JSON", e);
        }
    }

    /** Empty for an entry this version cannot read (written by another one during a rollout): a miss. */
    private static Optional<Message> parse(String json) {
        try {
            return Optional.of(JSON.readValue(json, CachedMessage.class).toMessage());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
