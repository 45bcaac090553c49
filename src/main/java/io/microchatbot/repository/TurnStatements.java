package io.microchatbot.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.event.OutboxEntry;
import io.microchatbot.identity.Caller;
import io.microchatbot.usage.Spend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of a chat turn, on the reactive client and off the ORM: the turn's hot path. Each write is one statement
 * (a data-modifying CTE, its own transaction), so a turn costs three round trips to PostgreSQL: read, claim, reply.
 * <p>
 * The claim is conditional: it takes the conversation only while no lease is held and while its message count is
 * still the one the turn read, so one turn at a time holds across replicas without a lock held over a round trip,
 * and the history the prompt was built from is exactly the conversation's state. Outbox rows are inserted from the
 * updated conversation row, so their ids are drawn under its row lock, in commit order (ADR 0005).
 */
@ApplicationScoped
public class TurnStatements {

    private static final String CONVERSATION = """
            SELECT system_prompt, model, cast(generation AS text) AS generation, message_count, turn_lease_until
              FROM conversations WHERE id = $1 AND tenant_id = $2 AND user_id = $3""";
    /** A conversation's columns and those of messages {@code m} joined to it: the rows {@link #snapshot} reads. */
    private static final String CONVERSATION_AND_MESSAGES = """
            SELECT c.system_prompt, c.model, cast(c.generation AS text) AS generation, c.message_count,
                   c.turn_lease_until,
                   m.id, m.message_type, m.status, m.content, cast(m.metadata AS text) AS metadata, m.content_tokens,
                   cast(m.tool_calls AS text) AS tool_calls, m.tool_call_id,
                   m.model AS message_model, m.provider, m.finish_reason, m.prompt_tokens, m.completion_tokens,
                   m.total_tokens, m.latency_ms, m.created_at, m.updated_at,
                   m.kind, m.covers_from_id, m.covers_to_id, m.covers_until, m.covers_count
              FROM conversations c
            """;
    /** The conversation and its newest messages in one snapshot, for a context the cache does not hold. */
    private static final String CONVERSATION_WITH_HISTORY = CONVERSATION_AND_MESSAGES + """
             LEFT JOIN LATERAL (
                  SELECT * FROM messages WHERE conversation_id = c.id
                   ORDER BY created_at DESC, id DESC LIMIT $4) m ON true
            WHERE c.id = $1 AND c.tenant_id = $2 AND c.user_id = $3
            ORDER BY m.created_at DESC, m.id DESC""";
    /** The conversation, a message of it and the message after it (its turn's reply, once stored), newest first. */
    private static final String TURN = CONVERSATION_AND_MESSAGES + """
             LEFT JOIN LATERAL (
                  SELECT * FROM messages WHERE conversation_id = c.id
                     AND (created_at, id) >= (SELECT created_at, id FROM messages
                                               WHERE id = $4 AND conversation_id = c.id)
                   ORDER BY created_at, id LIMIT 2) m ON true
            WHERE c.id = $1 AND c.tenant_id = $2 AND c.user_id = $3
            ORDER BY m.created_at DESC, m.id DESC""";
    private static final String CLAIM = """
            WITH claimed AS (
                UPDATE conversations
                   SET turn_lease_until = $4, message_count = message_count + 1, updated_at = $5
                 WHERE id = $1 AND tenant_id = $2 AND user_id = $3
                   AND message_count = $6
                   AND (turn_lease_until IS NULL OR turn_lease_until <= $7)
             RETURNING id, message_count),
            stored AS (
                INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                                      metadata, content_tokens, created_at, updated_at)
                SELECT $8::uuid, id, $2::varchar, $3::varchar, 'user', 'complete', $9::text, cast($10 AS text)::jsonb,
                       $11::integer, $5::timestamptz, $5::timestamptz FROM claimed),
            event AS (
                INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
                SELECT $12::uuid, $13::text, $2::varchar, id, cast($14 AS text)::jsonb, $15::timestamptz FROM claimed)
            SELECT message_count FROM claimed""";
    /**
     * {@link #CLAIM} for several input messages (the results of a reply's tool calls): the messages and their
     * events come as arrays, inserted in array order so that the outbox ids follow the messages' order.
     */
    private static final String CLAIM_MANY = """
            WITH claimed AS (
                UPDATE conversations
                   SET turn_lease_until = $4, message_count = message_count + cardinality($8::uuid[]),
                       updated_at = $5
                 WHERE id = $1 AND tenant_id = $2 AND user_id = $3
                   AND message_count = $6
                   AND (turn_lease_until IS NULL OR turn_lease_until <= $7)
             RETURNING id, message_count),
            stored AS (
                INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                                      metadata, content_tokens, tool_call_id, created_at, updated_at)
                SELECT m.id, c.id, $2::varchar, $3::varchar, m.type, 'complete', m.content, m.metadata::jsonb,
                       m.tokens, m.tool_call_id, m.at, m.at
                  FROM claimed c,
                       unnest($8::uuid[], $9::text[], $10::text[], $11::text[], $12::integer[], $13::text[],
                              $14::timestamptz[]) WITH ORDINALITY AS m(id, type, content, metadata, tokens,
                                                                       tool_call_id, at, position)
                 ORDER BY m.position),
            event AS (
                INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
                SELECT e.id, e.type, $2::varchar, c.id, e.envelope::jsonb, e.at
                  FROM claimed c,
                       unnest($15::uuid[], $16::text[], $17::text[], $18::timestamptz[])
                           WITH ORDINALITY AS e(id, type, envelope, at, position)
                 ORDER BY e.position)
            SELECT message_count FROM claimed""";
    /**
     * A deleted conversation makes the reply's insert break its foreign key: the statement fails, nothing stays. A
     * paid reply's usage row ({@code $23} not null) is appended with it: no shared row is updated, so concurrent
     * turns of a tenant never wait on each other here.
     */
    private static final String STORE_REPLY = """
            WITH stored AS (
                INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                                      metadata, content_tokens, model, provider, finish_reason, prompt_tokens,
                                      completion_tokens, total_tokens, latency_ms, created_at, updated_at,
                                      tool_calls)
                VALUES ($1, $2, $3, $4, 'assistant', $5, $6, cast($7 AS text)::jsonb, $8, $9, $10, $11, $12, $13,
                        $14, $15, $16, $16, cast($22 AS text)::jsonb)
                RETURNING conversation_id),
            counted AS (
                UPDATE conversations c
                   SET message_count = c.message_count + 1, updated_at = $16,
                       turn_lease_until = CASE WHEN c.turn_lease_until = $17 THEN NULL ELSE c.turn_lease_until END
                  FROM stored WHERE c.id = stored.conversation_id
             RETURNING c.id, c.message_count),
            event AS (
                INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
                SELECT $18::uuid, $19::text, $3::varchar, id, cast($20 AS text)::jsonb, $21::timestamptz FROM counted),
            usage AS (
                INSERT INTO usage_records (id, tenant_id, user_id, api_key_id, source, model, provider,
                                           prompt_tokens, completion_tokens, total_tokens, cached_tokens,
                                           cost_micros, estimated, conversation_id, message_id, created_at)
                SELECT $23::uuid, $3::varchar, $4::varchar, $24::uuid, 'turn', $25::text, $26::text, $27::integer,
                       $28::integer, $29::integer, $30::integer, $31::bigint, $32::boolean, conversation_id,
                       $1::uuid, $16::timestamptz
                  FROM stored WHERE $23::uuid IS NOT NULL)
            SELECT message_count FROM counted""";
    private static final String RELEASE = """
            UPDATE conversations SET turn_lease_until = NULL WHERE id = $1 AND turn_lease_until = $2""";

    private final Pool pool;
    private final Counter rowsRead;

    TurnStatements(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        // The counter MessageRepository also feeds: rows read from PostgreSQL for contexts and pages.
        this.rowsRead = Counter.builder("chatbot.db.message.rows.read")
                .description("Message rows read from PostgreSQL for contexts and pages (what the cache saves)")
                .register(registry);
    }

    /** The caller's conversation as a turn needs it (detached, never to be persisted), or null. */
    public Uni<Conversation> conversation(UUID id, Caller caller) {
        return pool.preparedQuery(CONVERSATION).execute(Tuple.of(id, caller.tenantId(), caller.userId()))
                .map(rows -> rows.size() == 0 ? null : conversation(rows.iterator().next(), id, caller));
    }

    /** The caller's conversation and its newest messages (newest first) read in one snapshot, or null. */
    public Uni<Snapshot> conversationWithHistory(UUID id, Caller caller, int maxMessages) {
        return pool.preparedQuery(CONVERSATION_WITH_HISTORY)
                .execute(Tuple.of(id, caller.tenantId(), caller.userId(), maxMessages))
                .map(rows -> snapshot(rows, id, caller));
    }

    /**
     * The caller's conversation with the message {@code messageId} and the one after it, newest first (none when
     * the conversation has no such message), or null when the caller has no such conversation.
     */
    public Uni<Snapshot> turn(UUID id, Caller caller, UUID messageId) {
        return pool.preparedQuery(TURN)
                .execute(Tuple.of(id, caller.tenantId(), caller.userId(), messageId))
                .map(rows -> snapshot(rows, id, caller));
    }

    /**
     * Takes the conversation for a turn and stores its user message and event, when it is still idle at
     * {@code expectedCount} messages. Returns the new message count, or null when it was not taken (gone, busy,
     * or moved on since it was read: tell which by reading it again).
     */
    public Uni<Long> claim(Message user, long expectedCount, Instant lease, Instant now, OutboxEntry event) {
        Tuple params = Tuple.tuple()
                .addUUID(user.conversationId)
                .addString(user.tenantId)
                .addString(user.userId)
                .addOffsetDateTime(utc(lease))
                .addOffsetDateTime(utc(user.createdAt))
                .addLong(expectedCount)
                .addOffsetDateTime(utc(now))
                .addUUID(user.id)
                .addString(user.content)
                .addString(user.metadata)
                .addInteger(user.contentTokens)
                .addUUID(event.eventId())
                .addString(event.eventType())
                .addString(event.envelope())
                .addOffsetDateTime(utc(event.createdAt()));
        return pool.preparedQuery(CLAIM).execute(params)
                .map(TurnStatements::count);
    }

    /** {@link #claim} for several input messages, each with its event, stored in the order given. */
    public Uni<Long> claimWithMany(List<Message> inputs, long expectedCount, Instant lease, Instant now,
            List<OutboxEntry> events) {
        Message first = inputs.get(0);
        Tuple params = Tuple.tuple()
                .addUUID(first.conversationId)
                .addString(first.tenantId)
                .addString(first.userId)
                .addOffsetDateTime(utc(lease))
                .addOffsetDateTime(utc(inputs.get(inputs.size() - 1).createdAt))
                .addLong(expectedCount)
                .addOffsetDateTime(utc(now))
                .addArrayOfUUID(inputs.stream().map(m -> m.id).toArray(UUID[]::new))
                .addArrayOfString(inputs.stream().map(m -> m.messageType.name()).toArray(String[]::new))
                .addArrayOfString(inputs.stream().map(m -> m.content).toArray(String[]::new))
                .addArrayOfString(inputs.stream().map(m -> m.metadata).toArray(String[]::new))
                .addArrayOfInteger(inputs.stream().map(m -> m.contentTokens).toArray(Integer[]::new))
                .addArrayOfString(inputs.stream().map(m -> m.toolCallId).toArray(String[]::new))
                .addArrayOfOffsetDateTime(inputs.stream().map(m -> utc(m.createdAt)).toArray(OffsetDateTime[]::new))
                .addArrayOfUUID(events.stream().map(OutboxEntry::eventId).toArray(UUID[]::new))
                .addArrayOfString(events.stream().map(OutboxEntry::eventType).toArray(String[]::new))
                .addArrayOfString(events.stream().map(OutboxEntry::envelope).toArray(String[]::new))
                .addArrayOfOffsetDateTime(events.stream().map(e -> utc(e.createdAt())).toArray(OffsetDateTime[]::new));
        return pool.preparedQuery(CLAIM_MANY).execute(params)
                .map(TurnStatements::count);
    }

    /**
     * Stores a reply with its event and its usage row ({@code spend}, null: nothing was paid for), counts it, and
     * ends the turn holding {@code lease}. Returns the new message
     * count; fails with a foreign-key violation when the conversation was deleted.
     */
    public Uni<Long> storeReply(Message reply, Instant lease, OutboxEntry event, Spend spend) {
        Tuple params = Tuple.tuple()
                .addUUID(reply.id)
                .addUUID(reply.conversationId)
                .addString(reply.tenantId)
                .addString(reply.userId)
                .addString(reply.status.name())
                .addString(reply.content)
                .addString(reply.metadata)
                .addInteger(reply.contentTokens)
                .addString(reply.model)
                .addString(reply.provider)
                .addString(reply.finishReason)
                .addInteger(reply.promptTokens)
                .addInteger(reply.completionTokens)
                .addInteger(reply.totalTokens)
                .addLong(reply.latencyMs)
                .addOffsetDateTime(utc(reply.createdAt))
                .addOffsetDateTime(lease == null ? null : utc(lease))
                .addUUID(event.eventId())
                .addString(event.eventType())
                .addString(event.envelope())
                .addOffsetDateTime(utc(event.createdAt()))
                .addString(reply.toolCalls)
                .addUUID(spend == null ? null : UUID.randomUUID())
                .addUUID(spend == null || spend.apiKeyId() == null ? null : UUID.fromString(spend.apiKeyId()))
                .addString(spend == null ? null : spend.model())
                .addString(spend == null ? null : spend.provider())
                .addInteger(spend == null ? null : spend.usage().promptTokens())
                .addInteger(spend == null ? null : spend.usage().completionTokens())
                .addInteger(spend == null ? null : spend.usage().totalTokens())
                .addInteger(spend == null ? null : spend.usage().cachedTokens())
                .addLong(spend == null ? null : spend.costMicros())
                .addBoolean(spend == null ? null : spend.estimated());
        return pool.preparedQuery(STORE_REPLY).execute(params)
                .map(TurnStatements::count);
    }

    /** Ends a turn that stored no reply; 1 when its lease was still held. */
    public Uni<Integer> releaseLease(UUID conversationId, Instant lease) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(conversationId, utc(lease)))
                .map(RowSet::rowCount);
    }

    /** A conversation and some of its messages, newest first, as one statement read them. */
    public record Snapshot(Conversation conversation, List<Message> newestFirst) {
    }

    private Snapshot snapshot(RowSet<Row> rows, UUID id, Caller caller) {
        if (rows.size() == 0) {
            return null;
        }
        Conversation conversation = null;
        List<Message> newestFirst = new ArrayList<>(rows.size());
        for (Row row : rows) {
            if (conversation == null) {
                conversation = conversation(row, id, caller);
            }
            if (row.getUUID("id") != null) {
                newestFirst.add(message(row, conversation));
            }
        }
        rowsRead.increment(newestFirst.size());
        return new Snapshot(conversation, newestFirst);
    }

    private static Conversation conversation(Row row, UUID id, Caller caller) {
        Conversation conversation = new Conversation();
        conversation.id = id;
        conversation.tenantId = caller.tenantId();
        conversation.userId = caller.userId();
        conversation.systemPrompt = row.getString("system_prompt");
        conversation.model = row.getString("model");
        conversation.generation = row.getString("generation");
        conversation.messageCount = row.getLong("message_count");
        conversation.turnLeaseUntil = instant(row.getOffsetDateTime("turn_lease_until"));
        return conversation;
    }

    private static Message message(Row row, Conversation conversation) {
        Message message = new Message();
        message.id = row.getUUID("id");
        message.conversationId = conversation.id;
        message.tenantId = conversation.tenantId;
        message.userId = conversation.userId;
        message.messageType = MessageType.valueOf(row.getString("message_type"));
        message.status = MessageStatus.valueOf(row.getString("status"));
        message.content = row.getString("content");
        message.metadata = row.getString("metadata");
        message.contentTokens = row.getInteger("content_tokens");
        message.toolCalls = row.getString("tool_calls");
        message.toolCallId = row.getString("tool_call_id");
        message.model = row.getString("message_model");
        message.provider = row.getString("provider");
        message.finishReason = row.getString("finish_reason");
        message.promptTokens = row.getInteger("prompt_tokens");
        message.completionTokens = row.getInteger("completion_tokens");
        message.totalTokens = row.getInteger("total_tokens");
        message.latencyMs = row.getLong("latency_ms");
        message.createdAt = instant(row.getOffsetDateTime("created_at"));
        message.updatedAt = instant(row.getOffsetDateTime("updated_at"));
        message.kind = row.getString("kind");
        if (message.kind != null) {
            message.coversFromId = row.getUUID("covers_from_id");
            message.coversToId = row.getUUID("covers_to_id");
            message.coversUntil = instant(row.getOffsetDateTime("covers_until"));
            message.coversCount = row.getInteger("covers_count");
        }
        return message;
    }

    private static Long count(RowSet<Row> rows) {
        return rows.size() == 0 ? null : rows.iterator().next().getLong("message_count");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
