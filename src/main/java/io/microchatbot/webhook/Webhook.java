package io.microchatbot.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A URL of one tenant that receives the events it subscribed to, each signed with its secret. */
@Entity
@Table(name = "webhooks")
public class Webhook {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "created_by", nullable = false, updatable = false)
    public String createdBy;

    @Column(nullable = false)
    public String url;

    /** Event types, or only {@link EventTypes#ALL}. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "event_types", nullable = false, columnDefinition = "text[]")
    public List<String> eventTypes;

    /** Key of the signature; never shown after the create answer, never logged. */
    @Column(nullable = false, updatable = false)
    public String secret;

    public String description;

    @Column(nullable = false)
    public boolean active;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Override
    public String toString() {
        return "Webhook[" + id + " of " + tenantId + "]";
    }
}
