package io.microchatbot.rest.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /api/v1/webhooks}: url and event_types are required. */
public record CreateWebhookRequest(
        String url,
        @JsonProperty("event_types") List<String> eventTypes,
        String secret,
        String description) {

    @Override
    public String toString() {
        return "CreateWebhookRequest[" + eventTypes + "]";
    }
}
