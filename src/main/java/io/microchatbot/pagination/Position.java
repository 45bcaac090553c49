package io.microchatbot.pagination;

import java.time.Instant;
import java.util.UUID;

/** A row's place in a keyset order: its creation time, then its id to break ties. */
public record Position(Instant createdAt, UUID id) {
}
