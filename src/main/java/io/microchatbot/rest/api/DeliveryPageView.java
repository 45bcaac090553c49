package io.microchatbot.rest.api;

import java.util.List;

import io.microchatbot.service.Page;
import io.microchatbot.webhook.WebhookDelivery;

/** {@code GET /api/v1/webhooks/{id}/deliveries}: newest first. */
public record DeliveryPageView(List<DeliveryView> deliveries, boolean has_more, String next_cursor) {

    public static DeliveryPageView of(Page<WebhookDelivery> page) {
        return new DeliveryPageView(page.items().stream().map(DeliveryView::of).toList(), page.hasMore(),
                page.nextCursor());
    }
}
