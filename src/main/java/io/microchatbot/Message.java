package io.microchatbot;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

/** One message of a conversation: what the user said, or the reply with its generation details. */
@Entity
@Table(name = "messages")
public class Message {

    /** The kind of a system message that summarises the messages it covers (history compaction). */
    public static final String SUMMARY = "summary";

    @Id
    public UUID id;

    @Column(name = "conversation_id", nullable = false, updatable = false)
    public UUID conversationId;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Enumerated(EnumType.STRING)
    @Column(name = "message_type", nullable = false, updatable = false)
    public MessageType messageType;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public MessageStatus status;

    @Column(nullable = false)
    public String content;

    /**
     * A JSON object: text here, jsonb in the database. The double cast matters: the reactive driver binds a String
     * typed as jsonb as a JSON <em>string</em>, not as the object it spells.
     */
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(read = "cast(metadata as text)", write = "cast(cast(? as text) as jsonb)")
    public String metadata;

    /**
     * The tool calls an assistant reply asks for, as a JSON array of {@code {id, name, arguments}} (null when it
     * asks for none); stored as jsonb with the same cast as {@link #metadata}.
     */
    @Column(name = "tool_calls", columnDefinition = "jsonb")
    @ColumnTransformer(read = "cast(tool_calls as text)", write = "cast(cast(? as text) as jsonb)")
    public String toolCalls;

    /** A tool message: the id of the call it answers. */
    @Column(name = "tool_call_id")
    public String toolCallId;

    /** Tokens of {@link #content}, counted once at write so that context building never re-tokenizes. */
    @Column(name = "content_tokens", nullable = false)
    public int contentTokens;

    public String model;

    public String provider;

    @Column(name = "finish_reason")
    public String finishReason;

    @Column(name = "prompt_tokens")
    public Integer promptTokens;

    @Column(name = "completion_tokens")
    public Integer completionTokens;

    @Column(name = "total_tokens")
    public Integer totalTokens;

    @Column(name = "latency_ms")
    public Long latencyMs;

    /** {@link #SUMMARY} for a summary of earlier messages (a system message), else null. */
    @Column(updatable = false)
    public String kind;

    /** A summary: the oldest message it covers. */
    @Column(name = "covers_from_id", updatable = false)
    public UUID coversFromId;

    /** A summary: the newest message it covers. */
    @Column(name = "covers_to_id", updatable = false)
    public UUID coversToId;

    /** A summary: when the newest message it covers was created; no older message is in a prompt beside it. */
    @Column(name = "covers_until", updatable = false)
    public Instant coversUntil;

    /** A summary: how many messages it covers. */
    @Column(name = "covers_count", updatable = false)
    public Integer coversCount;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public boolean isSummary() {
        return SUMMARY.equals(kind);
    }
}
