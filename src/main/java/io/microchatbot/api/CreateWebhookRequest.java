package io.microchatbot.api;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.EventTypeList;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.WebhookSecret;
import io.microchatbot.validation.WebhookUrl;
import io.microchatbot.webhook.NewWebhook;

/**
 * Body of {@code POST /api/v1/webhooks}: url and event_types are required. Whether the URL's host may be reached is
 * the webhook service's check, which needs the network.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateWebhookRequest(
        @WebhookUrl String url,
        @EventTypeList List<String> eventTypes,
        @WebhookSecret String secret,
        @BoundedText(Limit.WEBHOOK_DESCRIPTION) String description) {

    /** What an absent body says: nothing, so it is refused for its missing url and event types. */
    public static final CreateWebhookRequest EMPTY = new CreateWebhookRequest(null, null, null, null);

    /** The registration, once valid, as the service takes it; without a secret, one is generated. */
    public NewWebhook toNewWebhook() {
        return new NewWebhook(URI.create(url), List.copyOf(eventTypes), Optional.ofNullable(secret), description);
    }

    @Override
    public String toString() {
        return "CreateWebhookRequest[" + eventTypes + "]";
    }
}
