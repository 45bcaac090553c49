package io.microchatbot.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.stream.PendingMessage;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One consumer (named after the pod and a random part) of a Redis Streams consumer group, reading in rounds that
 * never overlap, each on a fresh Vert.x context as a request would run: it creates the group if missing, takes over
 * one page of the entries any consumer left pending for {@link StreamGroup#claimIdle} (XAUTOCLAIM, every
 * claim-idle), reads up to a batch of new entries (XREADGROUP, blocking in Redis for {@link StreamGroup#block}) and
 * hands them to its {@link StreamHandler}, which acknowledges them when done.
 * <p>
 * A round that fails (Redis, or the handler) is tried again after the {@link StreamGroup#backoff}; Redis failures are
 * counted and logged like the requests' ({@link RedisTrouble}). A group deleted meanwhile (NOGROUP) is made again.
 */
public class StreamGroupConsumer {

    /** On stop, the most the round in flight is waited for beyond the read's block, and leaving the group. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(1);
    private static final String FIRST = "0-0";

    private final StreamGroup settings;
    private final BoundedStreams redis;
    private final Vertx vertx;
    private final StreamHandler handler;
    private final String consumer;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean started;
    private volatile boolean stopping;
    private volatile long timer = -1;
    private boolean groupReady;
    private boolean ownPendingFirst;
    private String claimFrom = FIRST;
    private long nextClaimAt = System.nanoTime();
    private Duration retryDelay;

    StreamGroupConsumer(StreamGroup settings, BoundedStreams redis, Vertx vertx, StreamHandler handler) {
        this.settings = settings;
        this.redis = redis;
        this.vertx = vertx;
        this.handler = handler;
        this.consumer = StreamEntry.consumerName(settings.name());
        this.ownPendingFirst = settings.rereadOwnPending();
        this.retryDelay = settings.backoff().first();
    }

    public void start() {
        started = true;
        next(Duration.ZERO);
    }

    /**
     * Lets the round in flight finish (the read's block plus 1 s at most), then leaves the group if nothing read by
     * this consumer is left unacknowledged, so that consumers of stopped pods do not pile up in the group. Blocks the
     * caller: for shutdown.
     */
    public void stop() {
        stopping = true;
        if (!started) {
            return;
        }
        redis.quiet();
        if (vertx.cancelTimer(timer)) {
            stopped.complete(null);
        }
        try {
            stopped.get(settings.block().plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            leaveGroup().await().atMost(STOP_MARGIN);
        } catch (Exception e) {
            Log.debugf("Consumer of %s stopped without leaving its group: %s", settings.stream(), e.getMessage());
        }
    }

    /** Acknowledges entries of this group (one XACK). */
    public Uni<Void> acknowledge(List<StreamEntry> entries) {
        String[] ids = entries.stream().map(StreamEntry::id).toArray(String[]::new);
        return redis.call(settings.operation("ack"), streams -> streams.xack(settings.stream(), settings.group(), ids))
                .replaceWithVoid();
    }

    /** How often the entry was delivered to a consumer of the group (1 when no longer pending). */
    public Uni<Integer> deliveries(String id) {
        return redis.call(settings.operation("pending"), streams -> streams.xpending(settings.stream(),
                settings.group(), StreamRange.of(id, id), 1))
                .map(pending -> pending.isEmpty() ? 1 : pending.get(0).getDeliveryCount());
    }

    /** Any other stream command, bounded and reported as this consumer's are (a dead-letter stream's, say). */
    public <T> Uni<T> call(String operation, Function<ReactiveStreamCommands<String, String, String>, Uni<T>> command) {
        return redis.call(operation, command);
    }

    private void next(Duration delay) {
        if (stopping) {
            stopped.complete(null);
            return;
        }
        timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> onFreshContext(() -> Uni.createFrom()
                .deferred(this::round)
                .subscribe().with(done -> {
                    retryDelay = settings.backoff().first();
                    next(settings.pause());
                }, this::retryLater)));
    }

    private void retryLater(Throwable failure) {
        if (failure instanceof RedisUnavailable && String.valueOf(failure.getCause().getMessage()).startsWith("NOGROUP")) {
            groupReady = false; // the stream or the group was deleted: made again on the next try
        }
        if (!(failure instanceof RedisUnavailable) && !stopping) {
            Log.warnf("Entries of %s could not be handled, trying again in %d ms: %s", settings.stream(),
                    retryDelay.toMillis(), failure.getMessage());
        }
        ownPendingFirst = settings.rereadOwnPending();
        Duration wait = retryDelay;
        retryDelay = settings.backoff().after(retryDelay);
        next(wait);
    }

    private Uni<Void> round() {
        return ensureGroup()
                .chain(this::takeOverAbandoned)
                .chain(() -> ownPendingFirst ? readOwnPending() : readNew());
    }

    private Uni<Void> ensureGroup() {
        if (groupReady) {
            return Uni.createFrom().voidItem();
        }
        return redis.call(settings.operation("group"), streams -> streams
                .xgroupCreate(settings.stream(), settings.group(), settings.start(), new XGroupCreateArgs().mkstream())
                .onFailure(failure -> String.valueOf(failure.getMessage()).startsWith("BUSYGROUP")).recoverWithNull())
                .invoke(() -> groupReady = true);
    }

    /** One page of the entries any consumer left pending too long, every claim-idle; the next page next round. */
    private Uni<Void> takeOverAbandoned() {
        if (System.nanoTime() - nextClaimAt < 0) {
            return Uni.createFrom().voidItem();
        }
        return redis.call(settings.operation("reclaim"), streams -> streams.xautoclaim(settings.stream(),
                settings.group(), consumer, settings.claimIdle(), claimFrom, settings.batch()))
                .invoke(claimed -> {
                    claimFrom = claimed.getId();
                    if (FIRST.equals(claimFrom)) {
                        nextClaimAt = System.nanoTime() + settings.claimIdle().toNanos();
                    }
                })
                .map(claimed -> entries(claimed.getMessages()))
                .chain(entries -> {
                    if (entries.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    Log.infof("Took over %d entries of %s that another consumer left unacknowledged", entries.size(),
                            settings.stream());
                    return handler.handleTakenOver(entries);
                });
    }

    private Uni<Void> readNew() {
        int count = Math.min(settings.batch(), handler.room());
        if (count <= 0) {
            return Uni.createFrom().voidItem();
        }
        XReadGroupArgs args = new XReadGroupArgs().count(count);
        if (!settings.block().isZero()) {
            args.block(settings.block());
        }
        return redis.call(settings.operation("read"), settings.block().plus(settings.timeout()),
                streams -> streams.xreadgroup(settings.group(), consumer, settings.stream(), ">", args))
                .map(StreamGroupConsumer::entries)
                .chain(this::handle);
    }

    /**
     * What this consumer read and did not acknowledge, a batch a round until none is left, then new entries. Claimed
     * again rather than read again from id 0: XREADGROUP answers an entry deleted meanwhile without its fields, which
     * the typed client cannot decode; XCLAIM leaves it out.
     */
    private Uni<Void> readOwnPending() {
        return redis.call(settings.operation("read"), streams -> streams.xpending(settings.stream(), settings.group(),
                StreamRange.of("-", "+"), settings.batch(), new XPendingArgs().consumer(consumer)))
                .chain(pending -> {
                    if (pending.isEmpty()) {
                        ownPendingFirst = false;
                        return readNew();
                    }
                    String[] ids = pending.stream().map(PendingMessage::getMessageId).toArray(String[]::new);
                    return redis.call(settings.operation("read"), streams -> streams.xclaim(settings.stream(),
                            settings.group(), consumer, Duration.ZERO, ids))
                            .map(StreamGroupConsumer::entries)
                            .chain(this::handle);
                });
    }

    private Uni<Void> handle(List<StreamEntry> entries) {
        return entries.isEmpty() ? Uni.createFrom().voidItem() : handler.handle(entries);
    }

    private Uni<Void> leaveGroup() {
        return redis.call(settings.operation("leave"), streams -> streams.xpending(settings.stream(), settings.group(),
                StreamRange.of("-", "+"), 1, new XPendingArgs().consumer(consumer)))
                .chain(unacknowledged -> unacknowledged.isEmpty()
                        ? redis.call(settings.operation("leave"), streams -> streams.xgroupDelConsumer(
                                settings.stream(), settings.group(), consumer))
                        : Uni.createFrom().nullItem())
                .replaceWithVoid();
    }

    /** Entries deleted while pending are answered as nil by Redis 6.2 (left out by 7): skipped. */
    private static List<StreamEntry> entries(List<StreamMessage<String, String, String>> messages) {
        return messages.stream()
                .filter(Objects::nonNull)
                .map(message -> new StreamEntry(message.id(), message.payload()))
                .toList();
    }

    private void onFreshContext(Runnable work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.run());
    }
}
