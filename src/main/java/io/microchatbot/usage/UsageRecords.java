package io.microchatbot.usage;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes {@code usage_records} for the stateless OpenAI door, one row per answered call, off the answer's path: the
 * caller never waits for it (a turn's row is written by the statement that stores its reply).
 * A write that still fails after a retry is logged with the whole record and counted in
 * {@code chatbot_usage_records_total{outcome="failed"}}, so a lost row is never silent.
 */
@ApplicationScoped
public class UsageRecords {

    private static final String INSERT = """
            INSERT INTO usage_records (id, tenant_id, user_id, api_key_id, source, model, provider, prompt_tokens,
                                       completion_tokens, total_tokens, created_at, cached_tokens, cost_micros,
                                       estimated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""";

    private final Pool pool;
    private final Counter written;
    private final Counter failed;

    UsageRecords(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.written = outcome(registry, "written");
        this.failed = outcome(registry, "failed");
    }

    /** Starts the write and returns at once. */
    public void record(Spend record) {
        write(record).subscribe().with(ignored -> written.increment(), failure -> {
            failed.increment();
            Log.errorf(failure, "Usage record lost: tenant=%s user=%s api_key=%s source=%s model=%s provider=%s"
                    + " prompt_tokens=%d completion_tokens=%d total_tokens=%d cost_micros=%d", record.tenantId(),
                    record.userId(), record.apiKeyId(), record.source(), record.model(), record.provider(),
                    record.usage().promptTokens(), record.usage().completionTokens(), record.usage().totalTokens(),
                    record.costMicros());
        });
    }

    Uni<Void> write(Spend record) {
        Tuple row = Tuple.tuple()
                .addUUID(UUID.randomUUID())
                .addString(record.tenantId())
                .addString(record.userId())
                .addUUID(record.apiKeyId() == null ? null : UUID.fromString(record.apiKeyId()))
                .addString(record.source())
                .addString(record.model())
                .addString(record.provider())
                .addInteger(record.usage().promptTokens())
                .addInteger(record.usage().completionTokens())
                .addInteger(record.usage().totalTokens())
                .addOffsetDateTime(OffsetDateTime.now(ZoneOffset.UTC))
                .addInteger(record.usage().cachedTokens())
                .addLong(record.costMicros())
                .addBoolean(record.estimated());
        return Uni.createFrom().deferred(() -> pool.preparedQuery(INSERT).execute(row))
                .onFailure().retry().withBackOff(Duration.ofMillis(200)).atMost(1)
                .replaceWithVoid();
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("chatbot.usage.records")
                .description("Usage rows of answered calls, by whether they were written")
                .tag("outcome", outcome)
                .register(registry);
    }
}
