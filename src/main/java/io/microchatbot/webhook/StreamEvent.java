package io.microchatbot.webhook;

import java.util.UUID;

/** One event read from the events stream: what the fan-out needs of it, and its envelope as the bytes to send. */
record StreamEvent(UUID eventId, String eventType, String tenantId, String envelope) {
}
