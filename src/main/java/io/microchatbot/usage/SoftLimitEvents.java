package io.microchatbot.usage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.event.Outbox;
import io.microchatbot.event.OutboxEntry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes {@code chatbot.budget-soft-limit-reached} into the outbox, off the call's path. Its event id is derived
 * from the budget and its period, and the insert skips an id already there: one event per budget and period even
 * when two pods (or a pod without Redis, on its share) both see the limit crossed.
 */
@ApplicationScoped
class SoftLimitEvents {

    private static final String INSERT = """
            INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
            VALUES ($1, $2, $3, NULL, cast($4 AS text)::jsonb, $5)
            ON CONFLICT (event_id) DO NOTHING""";

    private final Pool pool;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final String currency;

    SoftLimitEvents(Pool pool, Outbox outbox, ObjectMapper json, UsageConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.json = json;
        this.currency = config.currency();
    }

    /** Starts the write and returns at once; a write that fails twice is logged. */
    void reached(Limit limit, long spentMicros) {
        write(limit, spentMicros).subscribe().with(ignored -> {
        }, failure -> Log.errorf(failure, "Soft-limit event lost: tenant=%s api_key=%s period=%s start=%s",
                limit.tenantId(), limit.apiKeyId(), limit.period(), limit.start()));
    }

    Uni<Void> write(Limit limit, long spentMicros) {
        ObjectNode data = json.createObjectNode()
                .put("scope", limit.scope())
                .put("apiKeyId", limit.apiKeyId())
                .put("period", limit.period())
                .put("periodStart", limit.start().toString())
                .put("periodEnd", limit.end().toString())
                .put("currency", currency)
                .put("softLimit", Pricing.amount(limit.softMicros()))
                .put("hardLimit", limit.hardMicros() < 0 ? null : Pricing.amount(limit.hardMicros()))
                .put("spent", Pricing.amount(spentMicros));
        UUID id = UUID.nameUUIDFromBytes(("soft-limit|" + limit.key()).getBytes(StandardCharsets.UTF_8));
        OutboxEntry entry = outbox.softLimitReachedEntry(id, limit.tenantId(), data);
        Tuple row = Tuple.of(entry.eventId(), entry.eventType(), entry.tenantId(), entry.envelope(),
                entry.createdAt().atOffset(ZoneOffset.UTC));
        return Uni.createFrom().deferred(() -> pool.preparedQuery(INSERT).execute(row))
                .onFailure().retry().withBackOff(Duration.ofMillis(200)).atMost(1)
                .replaceWithVoid();
    }
}
