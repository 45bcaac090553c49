package io.microchatbot.event;

import java.time.Instant;
import java.util.UUID;

/**
 * An outbox row built but not yet written, for a statement that inserts it together with the change it tells
 * about (the turn's writes). Its outbox id is drawn by that statement, under the conversation's row lock.
 */
public record OutboxEntry(UUID eventId, String eventType, String tenantId, UUID conversationId, Instant createdAt,
        String envelope) {
}
