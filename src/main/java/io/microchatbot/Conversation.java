package io.microchatbot;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

/** A conversation owned by one user of one tenant. */
@Entity
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

    /** JSON object, kept as text here and as jsonb in the database. */
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    public String metadata;

    /** Maintained with every insert so that a page never has to count the messages. */
    @Column(name = "message_count", nullable = false)
    public long messageCount;

    /** Set while a turn runs; expires on its own if the pod running it dies. */
    @Column(name = "turn_lease_until")
    public Instant turnLeaseUntil;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
