package io.microchatbot.webhook;

import java.util.UUID;

/** A delivery taken by this replica for one attempt, with what sending it needs. */
record ClaimedDelivery(UUID id, String eventType, String payload, int attempt, String url, String secret) {

    @Override
    public String toString() {
        return "ClaimedDelivery[" + id + ", attempt " + attempt + "]";
    }
}
