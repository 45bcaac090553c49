package io.microchatbot.event;

import java.time.Instant;
import java.util.UUID;

/** An event waiting in the outbox, as the relay reads it. */
record PendingEvent(long id, UUID eventId, String eventType, String tenantId, UUID conversationId, String envelope,
        Instant createdAt) {
}
