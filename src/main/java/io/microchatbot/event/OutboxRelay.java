package io.microchatbot.event;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.microchatbot.database.DatabaseUnavailable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes the outbox to the events stream or topic ({@link EventSink}), oldest first, and marks what it published,
 * in the same transaction, once the transport took all of it.
 * <p>
 * Every replica runs it, but a transaction-scoped advisory lock lets one of them publish at a time: the others skip
 * their turn. That keeps the stream in outbox order, which within a conversation is commit order, so events of one
 * conversation are published in the order they happened. An event whose mark did not commit (crash, lost database)
 * is published again: delivery is at least once, consumers dedupe by {@code eventId}. While the transport is
 * unreachable the relay backs off (up to 30 s) and the events wait in PostgreSQL.
 */
@ApplicationScoped
public class OutboxRelay {

    /** The advisory lock key: "chatbot-outbox" folded into a bigint. */
    static final long LOCK = 0x6368_6174_6f75_74L;
    private static final String TRY_LOCK = "select pg_try_advisory_xact_lock($1)";
    private static final String PENDING = """
            select id, event_id, event_type, tenant_id, conversation_id, cast(envelope as text) as envelope, created_at
            from outbox_events where published_at is null order by id limit $1""";
    private static final String MARK = "update outbox_events set published_at = $1 where id = any($2)";
    private static final String DELETE_PUBLISHED = "delete from outbox_events where published_at < $1";
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final Pool pool;
    private final EventSink sink;
    private final EventsConfig config;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong pausedUntil = new AtomicLong(System.nanoTime());
    private volatile Instant oldestWaiting;
    private volatile String lastFailure;
    private volatile Vertx vertx;
    private volatile long timer;

    OutboxRelay(Pool pool, RedisEventSink redis, KafkaEventSink kafka, EventsConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.sink = config.transport() == EventsTransport.kafka ? kafka : redis;
        this.config = config;
        Gauge.builder("chatbot.outbox.lag.seconds", this::lagSeconds)
                .description("Age of the oldest event not yet published, as the relay last found it (0: none"
                        + " waiting); it goes on rising while the transport is down")
                .register(registry);
    }

    /** Seconds since the oldest event waiting was written, 0 when none was waiting when the relay last looked. */
    public double lagSeconds() {
        Instant oldest = oldestWaiting;
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    }

    /** Why the last batch could not be published, or null when it was. */
    public String lastFailure() {
        return lastFailure;
    }

    public String transport() {
        return sink.describe();
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        timer = Periodic.every(vertx, config.relayInterval(), "Outbox relay", this::run);
        this.vertx = vertx;
    }

    void stop(@Observes ShutdownEvent event) {
        if (vertx != null) {
            vertx.cancelTimer(timer);
        }
    }

    Uni<Void> run() {
        if (System.nanoTime() - pausedUntil.get() < 0) {
            return Uni.createFrom().voidItem();
        }
        return drain()
                .onFailure(DatabaseUnavailable::test).recoverWithItem(failure -> {
                    Log.debugf("Outbox relay skipped, the database is unreachable: %s", failure.getMessage());
                    return 0;
                })
                .replaceWithVoid();
    }

    /** Publishes batches until one is not full (or the transport fails); returns how many were published. */
    public Uni<Integer> drain() {
        return Uni.createFrom().deferred(this::publishBatch)
                .repeat().whilst(batch -> batch.published() == config.relayBatch() && !batch.sinkFailed())
                .collect().in(() -> new int[1], (total, batch) -> total[0] += batch.published())
                .map(total -> total[0]);
    }

    /** One transaction: take the lock or give up, publish in order, mark what was published. */
    Uni<Batch> publishBatch() {
        return pool.withTransaction(connection -> connection.preparedQuery(TRY_LOCK).execute(Tuple.of(LOCK))
                .chain(locked -> locked.iterator().next().getBoolean(0)
                        ? publishPending(connection)
                        : Uni.createFrom().item(this::publishingElsewhere)));
    }

    /** Another replica holds the lock: the lag is its to report (a cluster's lag is the highest of its pods'). */
    private Batch publishingElsewhere() {
        oldestWaiting = null;
        lastFailure = null;
        return new Batch(0, false);
    }

    private Uni<Batch> publishPending(SqlConnection connection) {
        return connection.preparedQuery(PENDING).execute(Tuple.of(config.relayBatch()))
                .map(OutboxRelay::pending)
                .invoke(this::measureLag)
                .chain(pending -> publish(connection, pending));
    }

    /**
     * The whole batch, in outbox order; all of it is marked, or, when the transport fails, none (what it took is
     * published again: at least once).
     */
    private Uni<Batch> publish(SqlConnection connection, List<PendingEvent> events) {
        if (events.isEmpty()) {
            pauseAfter(null);
            return Uni.createFrom().item(new Batch(0, false));
        }
        Long[] ids = events.stream().map(PendingEvent::id).toArray(Long[]::new);
        return sink.publish(events)
                .replaceWith((String) null)
                .onFailure(EventSinkUnavailable.class).recoverWithItem(Throwable::getMessage)
                .call(failure -> failure != null ? Uni.createFrom().voidItem() : mark(connection, ids))
                .map(failure -> {
                    pauseAfter(failure);
                    return new Batch(failure != null ? 0 : ids.length, failure != null);
                });
    }

    private static Uni<Void> mark(SqlConnection connection, Long[] ids) {
        return connection.preparedQuery(MARK)
                .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS), ids))
                .replaceWithVoid();
    }

    /** After a failure the next runs are skipped for a while, doubling up to 30 s; a success resets it. */
    private void pauseAfter(String failure) {
        lastFailure = failure;
        if (failure == null) {
            failures.set(0);
            return;
        }
        Log.debugf("The outbox relay could not publish to the %s: %s", sink.describe(), failure);
        int n = Math.min(failures.incrementAndGet(), 16);
        long pause = Math.min(MAX_PAUSE.toNanos(), config.relayInterval().toNanos() << n);
        pausedUntil.set(System.nanoTime() + pause);
    }

    private void measureLag(List<PendingEvent> events) {
        oldestWaiting = events.isEmpty() ? null : events.get(0).createdAt();
    }

    private static List<PendingEvent> pending(RowSet<Row> rows) {
        List<PendingEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            events.add(new PendingEvent(row.getLong("id"), row.getUUID("event_id"), row.getString("event_type"),
                    row.getString("tenant_id"), row.getUUID("conversation_id"), row.getString("envelope"),
                    row.getOffsetDateTime("created_at").toInstant()));
        }
        return events;
    }

    /** Deletes published events older than the retention, on every replica (the statement is idempotent). */
    @Scheduled(identity = "outbox-cleanup", every = "1h", delayed = "1m", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> cleanUp() {
        return deletePublishedBefore(Instant.now().minus(config.retention()))
                .onFailure().invoke(failure -> Log.warnf("Outbox cleanup failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    Uni<Integer> deletePublishedBefore(Instant before) {
        return pool.preparedQuery(DELETE_PUBLISHED).execute(Tuple.of(before.atOffset(ZoneOffset.UTC)))
                .map(RowSet::rowCount);
    }

    /** What one transaction of the relay did. */
    record Batch(int published, boolean sinkFailed) {
    }
}
