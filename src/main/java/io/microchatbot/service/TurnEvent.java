package io.microchatbot.service;

import io.microchatbot.Message;
import io.microchatbot.problem.ApiException;

/** What a streamed turn tells its caller, in order: the stored user message, deltas, then one terminal event. */
public sealed interface TurnEvent {

    record UserMessageStored(Message message) implements TurnEvent {
    }

    record Delta(String content) implements TurnEvent {
    }

    /** The reply was stored complete. */
    record Completed(Message reply) implements TurnEvent {
    }

    /** The stream broke after some tokens; the partial reply was stored as incomplete. */
    record Incomplete(Message reply, ApiException cause) implements TurnEvent {
    }

    /** Nothing was generated; {@code reply} is the stored failed reply, or null when even that could not be stored. */
    record Failed(Message reply, ApiException cause) implements TurnEvent {
    }
}
