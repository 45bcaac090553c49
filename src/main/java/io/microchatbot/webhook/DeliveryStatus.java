package io.microchatbot.webhook;

/** Where a delivery stands: still to be sent (or being sent), received with a 2xx, or given up. */
public enum DeliveryStatus {
    pending,
    delivered,
    failed
}
