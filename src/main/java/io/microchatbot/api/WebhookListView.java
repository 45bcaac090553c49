package io.microchatbot.api;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.webhook.Webhook;

/** {@code GET /api/v1/webhooks}: the tenant's webhooks, newest first (a tenant has few, so no pages). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WebhookListView(List<WebhookView> webhooks) {

    public static WebhookListView of(List<Webhook> webhooks) {
        return new WebhookListView(webhooks.stream().map(WebhookView::of).toList());
    }
}
