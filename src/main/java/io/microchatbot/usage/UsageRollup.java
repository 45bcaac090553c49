package io.microchatbot.usage;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sums new {@code usage_records} rows into {@code usage_hourly} every {@code chatbot.usage.rollup-interval}, on
 * every replica. One statement moves the watermark ({@code usage_rollup.rolled_until}) forward and adds the rows
 * between the old and the new one, under the watermark row's lock: replicas running it at once take turns, and the
 * later one finds nothing left to add, so no row is ever counted twice or skipped. The watermark stays
 * {@code chatbot.usage.rollup-lag} behind the present, so a row still committing is never passed over.
 */
@ApplicationScoped
public class UsageRollup {

    static final String ROLL_UP = """
            WITH mark AS (
                SELECT rolled_until FROM usage_rollup WHERE id = 1 FOR UPDATE),
            moved AS (
                UPDATE usage_rollup u SET rolled_until = $1
                  FROM mark WHERE u.id = 1 AND mark.rolled_until < $1
             RETURNING mark.rolled_until AS since),
            summed AS (
                INSERT INTO usage_hourly AS h (hour, tenant_id, user_id, api_key_id, model, requests, prompt_tokens,
                                               completion_tokens, cached_tokens, total_tokens, cost_micros)
                SELECT date_trunc('hour', r.created_at, 'UTC'), r.tenant_id, r.user_id, r.api_key_id, r.model,
                       count(*), sum(r.prompt_tokens), sum(r.completion_tokens), sum(r.cached_tokens),
                       sum(r.total_tokens), sum(r.cost_micros)
                  FROM usage_records r, moved
                 WHERE r.created_at >= moved.since AND r.created_at < $1
                 GROUP BY 1, 2, 3, 4, 5
                ON CONFLICT ON CONSTRAINT usage_hourly_key DO UPDATE
                   SET requests = h.requests + excluded.requests,
                       prompt_tokens = h.prompt_tokens + excluded.prompt_tokens,
                       completion_tokens = h.completion_tokens + excluded.completion_tokens,
                       cached_tokens = h.cached_tokens + excluded.cached_tokens,
                       total_tokens = h.total_tokens + excluded.total_tokens,
                       cost_micros = h.cost_micros + excluded.cost_micros
                RETURNING 1)
            SELECT (SELECT count(*) FROM summed) AS groups, (SELECT count(*) FROM moved) AS moved""";

    private final Pool pool;
    private final UsageConfig config;

    UsageRollup(Pool pool, UsageConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(identity = "usage-rollup", every = "${chatbot.usage.rollup-interval:1m}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return rollUpTo(Instant.now().minus(config.rollupLag()))
                .onFailure().invoke(failure -> Log.warnf("Could not roll usage up: %s", failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Rolls every row created before {@code until} up (nothing when the watermark is there already); groups added. */
    public Uni<Long> rollUpTo(Instant until) {
        OffsetDateTime mark = until.atOffset(ZoneOffset.UTC);
        return pool.preparedQuery(ROLL_UP).execute(Tuple.of(mark))
                .map(rows -> rows.iterator().next().getLong("groups"));
    }
}
