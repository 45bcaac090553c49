package io.microchatbot.event;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

/** An event waiting in the outbox, written in the transaction of the change it tells about. */
@Entity
@Table(name = "outbox_events")
public class OutboxEvent {

    /** Its place in the publishing order: ids of one conversation are drawn under its row lock, in commit order. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false, updatable = false)
    public UUID eventId;

    @Column(name = "event_type", nullable = false, updatable = false)
    public String eventType;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "conversation_id", updatable = false)
    public UUID conversationId;

    /** The whole envelope as published (see docs/events.md); jsonb in the database, as Message.metadata. */
    @Column(columnDefinition = "jsonb", nullable = false, updatable = false)
    @ColumnTransformer(read = "cast(envelope as text)", write = "cast(cast(? as text) as jsonb)")
    public String envelope;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;
}
