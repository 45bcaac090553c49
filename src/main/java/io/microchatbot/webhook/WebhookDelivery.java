package io.microchatbot.webhook;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One event on its way to one webhook, as its delivery log shows it. Written by {@link DeliveryQueue} (the envelope
 * it sends is not mapped here: the log never shows it).
 */
@Entity
@Table(name = "webhook_deliveries")
public class WebhookDelivery {

    @Id
    public UUID id;

    @Column(name = "webhook_id", nullable = false, updatable = false)
    public UUID webhookId;

    @Column(name = "event_id", nullable = false, updatable = false)
    public UUID eventId;

    @Column(name = "event_type", nullable = false, updatable = false)
    public String eventType;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DeliveryStatus status;

    /** Attempts started so far. */
    @Column(nullable = false)
    public int attempts;

    @Column(name = "last_status_code")
    public Integer lastStatusCode;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "delivered_at")
    public Instant deliveredAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
