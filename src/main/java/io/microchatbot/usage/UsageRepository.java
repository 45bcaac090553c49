package io.microchatbot.usage;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.usage.UsageQuery.Dimension;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sums of usage, exact to the row: the hourly rollup up to its watermark plus the rows after it, read in one
 * statement (one snapshot), so that a rollup running meanwhile neither adds nor hides anything.
 */
@ApplicationScoped
public class UsageRepository {

    private static final String ROWS = """
            WITH mark AS (SELECT rolled_until FROM usage_rollup WHERE id = 1),
            rows AS (
                SELECT hour, tenant_id, user_id, api_key_id, model, requests, prompt_tokens, completion_tokens,
                       cached_tokens, total_tokens, cost_micros
                  FROM usage_hourly
                 WHERE tenant_id = $1 AND ($2::text IS NULL OR user_id = $2) AND hour >= $3 AND hour < $4
                UNION ALL
                SELECT date_trunc('hour', r.created_at, 'UTC'), r.tenant_id, r.user_id, r.api_key_id, r.model, 1,
                       r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.total_tokens, r.cost_micros
                  FROM usage_records r, mark
                 WHERE r.tenant_id = $1 AND ($2::text IS NULL OR r.user_id = $2) AND r.created_at >= $3
                   AND r.created_at < $4 AND r.created_at >= mark.rolled_until)
            SELECT %s sum(requests)::bigint AS requests, sum(prompt_tokens)::bigint AS prompt_tokens,
                   sum(completion_tokens)::bigint AS completion_tokens, sum(cached_tokens)::bigint AS cached_tokens,
                   sum(total_tokens)::bigint AS total_tokens, sum(cost_micros)::bigint AS cost_micros
              FROM rows %s""";

    private final Pool pool;

    UsageRepository(Pool pool) {
        this.pool = pool;
    }

    /** One group per combination of the query's dimensions that had usage, in their order; none: one total. */
    public Uni<List<UsageGroup>> sums(UsageQuery query) {
        // Only the enum's own column expressions reach the SQL text; every value is a parameter.
        String columns = query.groupBy().stream().map(d -> d.column + " AS \"" + d.name() + "\", ")
                .collect(Collectors.joining());
        String names = query.groupBy().stream().map(d -> "\"" + d.name() + "\"").collect(Collectors.joining(", "));
        String sql = ROWS.formatted(columns, names.isEmpty() ? "" : "GROUP BY " + names + " ORDER BY " + names);
        Tuple params = Tuple.of(query.tenantId(), query.userId(), query.from().atOffset(ZoneOffset.UTC),
                query.to().atOffset(ZoneOffset.UTC));
        return pool.preparedQuery(sql).execute(params)
                .map(rows -> {
                    List<UsageGroup> groups = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getLong("requests") != null) {
                            groups.add(group(row, query.groupBy()));
                        }
                    }
                    return groups;
                });
    }

    private static UsageGroup group(Row row, List<Dimension> dimensions) {
        String tenant = dimensions.contains(Dimension.tenant) ? row.getString("tenant") : null;
        String user = dimensions.contains(Dimension.user) ? row.getString("user") : null;
        String apiKey = dimensions.contains(Dimension.api_key) && row.getUUID("api_key") != null
                ? row.getUUID("api_key").toString()
                : null;
        String model = dimensions.contains(Dimension.model) ? row.getString("model") : null;
        var hour = dimensions.contains(Dimension.hour) ? row.getOffsetDateTime("hour").toInstant() : null;
        var day = dimensions.contains(Dimension.day) ? row.getOffsetDateTime("day").toInstant() : null;
        return new UsageGroup(tenant, apiKey, user, model, hour, day, row.getLong("requests"),
                row.getLong("prompt_tokens"), row.getLong("completion_tokens"), row.getLong("cached_tokens"),
                row.getLong("total_tokens"), row.getLong("cost_micros"));
    }
}
