package io.microchatbot;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A conversation owned by one user of one tenant. Updates write only the changed columns, so that a PATCH can
 * never write back a stale message count or turn lease.
 */
@Entity
@DynamicUpdate
@Table(name = "conversations")
public class Conversation {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    public String title;

    @Column(name = "system_prompt")
    public String systemPrompt;

    public String model;

    /**
     * A JSON object: text here, jsonb in the database. The double cast matters: the reactive driver binds a String
     * typed as jsonb as a JSON <em>string</em>, not as the object it spells.
     */
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(read = "cast(metadata as text)", write = "cast(cast(? as text) as jsonb)")
    public String metadata;

    /**
     * The defaults of this conversation's turns (tools, tool_choice, response_format) as a JSON object, null when it
     * has none; read and written like {@link #metadata}.
     */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(read = "cast(generation as text)", write = "cast(cast(? as text) as jsonb)")
    public String generation;

    /** Maintained with every insert so that a page never has to count the messages. */
    @Column(name = "message_count", nullable = false)
    public long messageCount;

    /** Set while a turn runs; expires on its own if the pod running it dies. */
    @Column(name = "turn_lease_until")
    public Instant turnLeaseUntil;

    /** A turn holds the conversation at {@code now}: its lease is set and has not expired. */
    public boolean turnRunning(Instant now) {
        return turnLeaseUntil != null && turnLeaseUntil.isAfter(now);
    }

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
