package io.microchatbot.webhook;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/** A validated registration; without a secret, one is generated. */
public record NewWebhook(URI url, List<String> eventTypes, Optional<String> secret, String description) {

    @Override
    public String toString() {
        return "NewWebhook[" + url.getHost() + ", " + eventTypes + "]";
    }
}
