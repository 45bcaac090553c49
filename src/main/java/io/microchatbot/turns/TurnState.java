package io.microchatbot.turns;

import java.util.UUID;

import io.microchatbot.Message;

/**
 * A turn as PostgreSQL knows it: its last input message, its reply once stored, and whether it still runs (no
 * reply, nothing after its input, and its conversation's lease held). A turn with no reply that does not run
 * ended without one: its pod died (the recovery job stores a failed reply once the lease expired) or the reply
 * could not be stored.
 */
record TurnState(UUID conversationId, Message input, Message reply, boolean running) {

    UUID messageId() {
        return input.id;
    }
}
