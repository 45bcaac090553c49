package io.microchatbot.compaction;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.event.OutboxEntry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of history compaction: read what a summary is to cover, store the summary. The store is conditional, as a
 * turn's claim is (repository.TurnStatements): it adds the summary only while no turn holds the conversation and
 * after every message written so far, so that messages stay created in order, and only when no summary covering as
 * much is stored yet.
 */
@ApplicationScoped
class SummaryStatements {

    /** Messages of a conversation after one summary's range and up to a message, newest first. */
    private static final String TO_SUMMARISE = """
            SELECT id, message_type, status, content, cast(tool_calls AS text) AS tool_calls, tool_call_id,
                   created_at
              FROM messages
             WHERE conversation_id = $1 AND kind IS NULL AND created_at <= $2
               AND ($3::timestamptz IS NULL OR created_at > $3)
             ORDER BY created_at DESC, id DESC LIMIT $4""";
    private static final String STORE = """
            WITH counted AS (
                UPDATE conversations
                   SET message_count = message_count + 1, updated_at = $4, summarized_until = $5
                 WHERE id = $1 AND tenant_id = $2 AND user_id = $3
                   AND turn_lease_until IS NULL AND updated_at < $4
                   AND (summarized_until IS NULL OR summarized_until < $5)
             RETURNING id, message_count),
            stored AS (
                INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                                      metadata, content_tokens, model, provider, prompt_tokens, completion_tokens,
                                      total_tokens, latency_ms, kind, covers_from_id, covers_to_id, covers_until,
                                      covers_count, created_at, updated_at)
                SELECT $6::uuid, id, $2::varchar, $3::varchar, 'system', 'complete', $7::text,
                       cast($8 AS text)::jsonb, $9::integer, $10::text, $11::text, $12::integer, $13::integer,
                       $14::integer, $15::bigint, 'summary', $16::uuid, $17::uuid, $5::timestamptz, $18::integer,
                       $4::timestamptz, $4::timestamptz
                  FROM counted),
            event AS (
                INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
                SELECT $19::uuid, $20::text, $2::varchar, id, cast($21 AS text)::jsonb, $22::timestamptz FROM counted)
            SELECT message_count FROM counted""";
    private static final String STATE = """
            SELECT updated_at, turn_lease_until IS NOT NULL AS held, summarized_until
              FROM conversations WHERE id = $1 AND tenant_id = $2 AND user_id = $3""";

    private final Pool pool;

    SummaryStatements(Pool pool) {
        this.pool = pool;
    }

    /** Where a conversation stands for a summary's store; null when it is gone. */
    record State(Instant updatedAt, boolean held, Instant summarizedUntil) {
    }

    /** The messages a summary is to cover, newest first: at most {@code max}, summaries left out. */
    Uni<List<Message>> toSummarise(CompactionNeed need, int max) {
        Message previous = need.previous();
        Tuple params = Tuple.tuple()
                .addUUID(need.conversationId())
                .addOffsetDateTime(utc(need.newestCovered().createdAt))
                .addOffsetDateTime(previous == null ? null : utc(previous.coversUntil))
                .addInteger(max);
        return pool.preparedQuery(TO_SUMMARISE).execute(params).map(rows -> {
            List<Message> messages = new ArrayList<>(rows.size());
            for (Row row : rows) {
                messages.add(message(row));
            }
            return messages;
        });
    }

    /** Stores the summary with its event; the new message count, or null when it was not stored (see {@link #state}). */
    Uni<Long> store(Message summary, OutboxEntry event) {
        Tuple params = Tuple.tuple()
                .addUUID(summary.conversationId)
                .addString(summary.tenantId)
                .addString(summary.userId)
                .addOffsetDateTime(utc(summary.createdAt))
                .addOffsetDateTime(utc(summary.coversUntil))
                .addUUID(summary.id)
                .addString(summary.content)
                .addString(summary.metadata)
                .addInteger(summary.contentTokens)
                .addString(summary.model)
                .addString(summary.provider)
                .addInteger(summary.promptTokens)
                .addInteger(summary.completionTokens)
                .addInteger(summary.totalTokens)
                .addLong(summary.latencyMs)
                .addUUID(summary.coversFromId)
                .addUUID(summary.coversToId)
                .addInteger(summary.coversCount)
                .addUUID(event.eventId())
                .addString(event.eventType())
                .addString(event.envelope())
                .addOffsetDateTime(utc(event.createdAt()));
        return pool.preparedQuery(STORE).execute(params)
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("message_count"));
    }

    Uni<State> state(Message summary) {
        return pool.preparedQuery(STATE).execute(Tuple.of(summary.conversationId, summary.tenantId, summary.userId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new State(instant(row.getOffsetDateTime("updated_at")), row.getBoolean("held"),
                            instant(row.getOffsetDateTime("summarized_until")));
                });
    }

    private static Message message(Row row) {
        Message message = new Message();
        message.id = row.getUUID("id");
        message.messageType = MessageType.valueOf(row.getString("message_type"));
        message.status = MessageStatus.valueOf(row.getString("status"));
        message.content = row.getString("content");
        message.toolCalls = row.getString("tool_calls");
        message.toolCallId = row.getString("tool_call_id");
        message.createdAt = instant(row.getOffsetDateTime("created_at"));
        return message;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
