package io.microchatbot.webhook;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.redis.RedisTrouble;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.redis.StreamEntry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;

/**
 * Turns the events of the events stream into deliveries. Every replica is one consumer of the group
 * {@code chatbot.webhooks.group}: a loop reads new entries (blocking in Redis for up to {@link #BLOCK}), adds the
 * deliveries of a whole batch in one statement ({@link DeliveryQueue#enqueue}), then acknowledges the batch. An entry
 * read again (a crash between insert and acknowledgement) adds nothing. Entries another consumer left unacknowledged
 * for {@code reclaim-after} (its pod died) are taken over with XAUTOCLAIM.
 * <p>
 * It has a Redis client of its own, so that a read blocked in Redis never holds one of the connections requests
 * share, and so that the requests' short command timeout and circuit breaker do not apply to it. While Redis or
 * PostgreSQL fails, it waits 1 s, doubling up to {@code read-retry-max-delay}, between tries; Redis failures are
 * counted and logged like the requests' ({@link RedisTrouble}). On the next try it first reads again what it had
 * read and not acknowledged.
 */
@ApplicationScoped
public class WebhookEventReader {

    /** A read waits this long for new entries; also how soon a stop is noticed. */
    static final Duration BLOCK = Duration.ofSeconds(2);
    /** A command not answered within this (beyond {@link #BLOCK} for a read) counts as Redis failing. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    /** On shutdown, the most a read in flight is waited for beyond {@link #BLOCK}, and leaving the group. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(1);

    private final WebhooksConfig config;
    private final DeliveryQueue queue;
    private final RedisTrouble trouble;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final String redisUrl;
    private final String consumer = StreamEntry.consumerName("webhooks");
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private Redis redis;
    private volatile boolean stopping;
    private volatile long timer = -1;
    private boolean groupReady;
    private boolean ownPendingFirst = true;
    private String reclaimFrom = "0-0";
    private long nextReclaimAt = System.nanoTime();
    private Duration retryDelay = FIRST_RETRY_DELAY;

    WebhookEventReader(WebhooksConfig config, DeliveryQueue queue, RedisTrouble trouble, ObjectMapper json, Vertx vertx,
            @ConfigProperty(name = "quarkus.redis.hosts") List<String> redisHosts) {
        this.config = config;
        this.queue = queue;
        this.trouble = trouble;
        this.json = json;
        this.vertx = vertx;
        this.redisUrl = redisHosts.get(0);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            stopped.complete(null);
            return;
        }
        redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(redisUrl)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(2)
                .setMaxPoolWaiting(8));
        next(Duration.ZERO);
    }

    /**
     * Lets the read in flight and its batch finish (3 s at most), then leaves the group if nothing read
     * by this consumer is left unacknowledged, so that consumers of stopped pods do not pile up in the group.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (redis == null) {
            return;
        }
        if (vertx.cancelTimer(timer)) {
            stopped.complete(null);
        }
        try {
            stopped.get(BLOCK.plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            leaveGroup().await().atMost(STOP_MARGIN);
        } catch (Exception e) {
            Log.debugf("Webhook event reader stopped without leaving its group: %s", e.getMessage());
        } finally {
            redis.close();
        }
    }

    private void next(Duration delay) {
        if (stopping) {
            stopped.complete(null);
            return;
        }
        timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> round().subscribe().with(
                done -> {
                    retryDelay = FIRST_RETRY_DELAY;
                    next(Duration.ZERO);
                },
                this::retryLater));
    }

    private void retryLater(Throwable failure) {
        if (!(failure instanceof RedisUnavailable) && !stopping) {
            Log.warnf("Webhook deliveries could not be added for new events, trying again in %d ms: %s",
                    retryDelay.toMillis(), failure.getMessage());
        }
        ownPendingFirst = true;
        Duration wait = retryDelay;
        retryDelay = retryDelay.multipliedBy(2).compareTo(config.readRetryMaxDelay()) > 0
                ? config.readRetryMaxDelay()
                : retryDelay.multipliedBy(2);
        next(wait);
    }

    private Uni<Void> round() {
        return ensureGroup()
                .chain(this::reclaimAbandoned)
                .chain(this::readNew);
    }

    private Uni<Void> ensureGroup() {
        if (groupReady) {
            return Uni.createFrom().voidItem();
        }
        Request create = Request.cmd(Command.XGROUP).arg("CREATE").arg(config.stream()).arg(config.group()).arg("$")
                .arg("MKSTREAM");
        return bounded(create, COMMAND_TIMEOUT)
                .onFailure(failure -> String.valueOf(failure.getMessage()).startsWith("BUSYGROUP")).recoverWithNull()
                .onFailure().transform(failure -> unavailable("webhooks-group", failure))
                .invoke(() -> groupReady = true)
                .replaceWithVoid();
    }

    /** One page of the entries left unacknowledged too long by any consumer, every reclaim-after. */
    private Uni<Void> reclaimAbandoned() {
        if (System.nanoTime() - nextReclaimAt < 0) {
            return Uni.createFrom().voidItem();
        }
        Request claim = Request.cmd(Command.XAUTOCLAIM).arg(config.stream()).arg(config.group()).arg(consumer)
                .arg(config.reclaimAfter().toMillis()).arg(reclaimFrom).arg("COUNT").arg(config.batch());
        return send("webhooks-reclaim", claim, COMMAND_TIMEOUT)
                .invoke(answer -> {
                    reclaimFrom = answer.get(0).toString();
                    if (reclaimFrom.equals("0-0")) {
                        nextReclaimAt = System.nanoTime() + config.reclaimAfter().toNanos();
                    }
                })
                .map(answer -> StreamEntry.list(answer.get(1)))
                .invoke(entries -> {
                    if (!entries.isEmpty()) {
                        Log.infof("Took over %d event(s) another webhook consumer left unacknowledged", entries.size());
                    }
                })
                .chain(this::fanOut);
    }

    /** New entries; after a failure, first those this consumer read before and did not acknowledge. */
    private Uni<Void> readNew() {
        boolean own = ownPendingFirst;
        Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(config.group()).arg(consumer)
                .arg("COUNT").arg(config.batch()).arg("BLOCK").arg(BLOCK.toMillis())
                .arg("STREAMS").arg(config.stream()).arg(own ? "0" : ">");
        return send("webhooks-read", read, BLOCK.plus(COMMAND_TIMEOUT))
                // RESP2: [[stream, entries]], or nil when nothing came within BLOCK
                .map(answer -> answer == null ? List.<StreamEntry> of() : StreamEntry.list(answer.get(0).get(1)))
                .invoke(entries -> ownPendingFirst = own && !entries.isEmpty())
                .chain(this::fanOut);
    }

    private Uni<Void> fanOut(List<StreamEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<UUID, StreamEvent> events = new LinkedHashMap<>();
        entries.forEach(entry -> event(entry).ifPresent(e -> events.putIfAbsent(e.eventId(), e)));
        return queue.enqueue(List.copyOf(events.values()))
                .invoke(added -> Log.debugf("%d event(s) read, %d webhook deliveries added", entries.size(), added))
                .chain(() -> acknowledge(entries));
    }

    /** The entry as an event; empty (and acknowledged with the others) when it is not one. */
    private Optional<StreamEvent> event(StreamEntry entry) {
        try {
            return Optional.of(parse(entry.fields()));
        } catch (IllegalArgumentException invalid) {
            return skipped(entry, invalid.getMessage());
        } catch (JsonProcessingException notJson) {
            return skipped(entry, "envelope is not JSON");
        }
    }

    private Optional<StreamEvent> skipped(StreamEntry entry, String why) {
        Log.warnf("Stream entry %s of %s is not an event and was skipped: %s", entry.id(), config.stream(), why);
        return Optional.empty();
    }

    private StreamEvent parse(Map<String, String> fields) throws JsonProcessingException {
        UUID eventId = UUID.fromString(required(fields, "eventId"));
        String envelope = required(fields, "envelope");
        if (!json.readTree(envelope).isObject()) {
            throw new IllegalArgumentException("envelope is not a JSON object");
        }
        return new StreamEvent(eventId, required(fields, "eventType"), required(fields, "tenantId"), envelope);
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return value;
    }

    private Uni<Void> acknowledge(List<StreamEntry> entries) {
        Request ack = Request.cmd(Command.XACK).arg(config.stream()).arg(config.group());
        entries.forEach(entry -> ack.arg(entry.id()));
        return send("webhooks-ack", ack, COMMAND_TIMEOUT).replaceWithVoid();
    }

    private Uni<Void> leaveGroup() {
        Request pending = Request.cmd(Command.XPENDING).arg(config.stream()).arg(config.group()).arg("-").arg("+")
                .arg(1).arg(consumer);
        Request leave = Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(config.stream()).arg(config.group())
                .arg(consumer);
        return bounded(pending, COMMAND_TIMEOUT)
                .chain(unacknowledged -> unacknowledged.size() == 0 ? bounded(leave, COMMAND_TIMEOUT)
                        : Uni.createFrom().nullItem())
                .replaceWithVoid();
    }

    private Uni<Response> send(String operation, Request request, Duration timeout) {
        return bounded(request, timeout)
                .onFailure().transform(failure -> unavailable(operation, failure));
    }

    private Uni<Response> bounded(Request request, Duration timeout) {
        return redis.send(request)
                .ifNoItem().after(timeout).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no answer within " + timeout.toMillis() + " ms"));
    }

    private RedisUnavailable unavailable(String operation, Throwable failure) {
        if (String.valueOf(failure.getMessage()).startsWith("NOGROUP")) {
            groupReady = false; // the stream or the group was deleted: made again on the next try
        }
        if (!stopping) {
            trouble.report(operation, failure);
        }
        return new RedisUnavailable(operation, failure);
    }

}
