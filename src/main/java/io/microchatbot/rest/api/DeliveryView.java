package io.microchatbot.rest.api;

import java.time.Instant;
import java.util.UUID;

import io.microchatbot.webhook.WebhookDelivery;

/** One entry of a webhook's delivery log. */
public record DeliveryView(
        UUID id,
        UUID event_id,
        String event_type,
        String status,
        int attempts,
        Integer last_status_code,
        String last_error,
        Instant next_attempt_at,
        Instant delivered_at,
        Instant created_at) {

    public static DeliveryView of(WebhookDelivery d) {
        return new DeliveryView(d.id, d.eventId, d.eventType, d.status.name(), d.attempts, d.lastStatusCode,
                d.lastError, d.nextAttemptAt, d.deliveredAt, d.createdAt);
    }
}
