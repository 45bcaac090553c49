package io.microchatbot.webhook;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The deliveries still to be sent, in the {@code webhook_deliveries} table. Every statement is its own short
 * transaction and every time is the database's, so that replicas with skewed clocks agree on what is due. No
 * transaction is open while a receiver is called: an attempt is claimed, sent, then recorded.
 */
@ApplicationScoped
public class DeliveryQueue {

    /**
     * One delivery per event and active webhook of its tenant subscribed to its type. An event seen again (the
     * stream is at-least-once) adds nothing: the unique (webhook_id, event_id) pair turns it away.
     */
    private static final String ENQUEUE = """
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, attempts, status,
                                            next_attempt_at, created_at)
            SELECT gen_random_uuid(), w.id, e.event_id, e.event_type, e.payload, 0, 'pending', now(), now()
              FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS e (event_id, event_type, tenant_id, payload)
              JOIN webhooks w ON w.tenant_id = e.tenant_id AND w.active
                             AND (e.event_type = ANY (w.event_types) OR '*' = ANY (w.event_types))
            ON CONFLICT (webhook_id, event_id) DO NOTHING""";
    /**
     * Takes due deliveries for one attempt each: the attempt is counted now (one lost with its pod counts too) and
     * the row is not due again until the claim expires, so no other replica sends it meanwhile. Rows another
     * replica is claiming are skipped.
     */
    private static final String CLAIM = """
            WITH due AS (
                SELECT id FROM webhook_deliveries
                 WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED)
            UPDATE webhook_deliveries d
               SET attempts = d.attempts + 1, next_attempt_at = now() + $2::text::interval
              FROM due, webhooks w
             WHERE d.id = due.id AND w.id = d.webhook_id
            RETURNING d.id, d.event_type, d.payload, d.attempts, w.url, w.secret""";
    /**
     * The outcome of the attempt that was claimed; nothing when the delivery moved on meanwhile (its claim expired
     * and another attempt was claimed, or it was redelivered). A null delay means no further attempt.
     */
    private static final String RECORD = """
            UPDATE webhook_deliveries
               SET status = $3, last_status_code = $4, last_error = $5,
                   next_attempt_at = now() + $6::text::interval,
                   delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
             WHERE id = $1 AND attempts = $2 AND status = 'pending'""";

    private final Pool pool;

    DeliveryQueue(Pool pool) {
        this.pool = pool;
    }

    /** Adds the deliveries of these events, in one statement; returns how many were added. */
    Uni<Integer> enqueue(List<StreamEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Tuple columns = Tuple.tuple()
                .addArrayOfUUID(events.stream().map(StreamEvent::eventId).toArray(UUID[]::new))
                .addArrayOfString(events.stream().map(StreamEvent::eventType).toArray(String[]::new))
                .addArrayOfString(events.stream().map(StreamEvent::tenantId).toArray(String[]::new))
                .addArrayOfString(events.stream().map(StreamEvent::envelope).toArray(String[]::new));
        return pool.preparedQuery(ENQUEUE).execute(columns)
                .map(rows -> rows.rowCount());
    }

    /** Claims up to {@code max} due deliveries, each for {@code lease} (longer than an attempt may take). */
    Uni<List<ClaimedDelivery>> claim(int max, Duration lease) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(max, interval(lease)))
                .map(rows -> rows.stream().map(DeliveryQueue::claimed).toList());
    }

    /** Records an attempt: delivered, tried again after {@code retryAfter}, or (retryAfter null) failed for good. */
    Uni<Void> record(ClaimedDelivery delivery, AttemptOutcome outcome, Duration retryAfter) {
        DeliveryStatus status = outcome.delivered() ? DeliveryStatus.delivered
                : retryAfter == null ? DeliveryStatus.failed : DeliveryStatus.pending;
        Tuple values = Tuple.tuple()
                .addUUID(delivery.id())
                .addInteger(delivery.attempt())
                .addString(status.name())
                .addInteger(outcome.statusCode())
                .addString(outcome.error())
                .addString(status == DeliveryStatus.pending ? interval(retryAfter) : null);
        return pool.preparedQuery(RECORD).execute(values).replaceWithVoid();
    }

    private static ClaimedDelivery claimed(Row row) {
        return new ClaimedDelivery(row.getUUID("id"), row.getString("event_type"), row.getString("payload"),
                row.getInteger("attempts"), row.getString("url"), row.getString("secret"));
    }

    private static String interval(Duration duration) {
        return duration.toMillis() + " milliseconds";
    }
}
