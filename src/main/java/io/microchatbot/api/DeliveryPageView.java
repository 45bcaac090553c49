package io.microchatbot.api;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.service.Page;
import io.microchatbot.webhook.WebhookDelivery;

/** {@code GET /api/v1/webhooks/{id}/deliveries}: newest first. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeliveryPageView(List<DeliveryView> deliveries, boolean hasMore, String nextCursor) {

    public static DeliveryPageView of(Page<WebhookDelivery> page) {
        return new DeliveryPageView(page.items().stream().map(DeliveryView::of).toList(), page.hasMore(),
                page.nextCursor());
    }
}
