package io.microchatbot.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.webhook.Webhook;

/** A webhook as the API shows it; {@code secret} only in the answer that created it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WebhookView(
        UUID id,
        String url,
        List<String> eventTypes,
        String description,
        boolean active,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

    public static WebhookView of(Webhook w) {
        return new WebhookView(w.id, w.url, w.eventTypes, w.description, w.active, w.createdBy, w.createdAt,
                w.updatedAt, null);
    }

    /** With the secret: shown once, for the receiver to verify signatures with. */
    public static WebhookView created(Webhook w) {
        return new WebhookView(w.id, w.url, w.eventTypes, w.description, w.active, w.createdBy, w.createdAt,
                w.updatedAt, w.secret);
    }

    @Override
    public String toString() {
        return "WebhookView[" + id + "]";
    }
}
