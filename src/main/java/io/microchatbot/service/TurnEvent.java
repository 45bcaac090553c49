package io.microchatbot.service;

import io.microchatbot.Message;
import io.microchatbot.problem.ApiException;

/**
 * What a streamed turn tells its caller, in order: the stored user message, deltas (text and tool-call fragments), then one
 * terminal event.
 */
public sealed interface TurnEvent {

    /** Whether this event ends its turn's stream: the reply's outcome, never an input or a delta. */
    default boolean terminal() {
        return !(this instanceof UserMessageStored || this instanceof Delta || this instanceof ToolCallDelta);
    }

    /** An input message was stored: the user message, or each tool result in order. */
    record UserMessageStored(Message message) implements TurnEvent {
    }

    record Delta(String content) implements TurnEvent {
    }

    /** A fragment of the tool call at {@code index}: its first names it, each may add to its arguments. */
    record ToolCallDelta(int index, String id, String name, String arguments) implements TurnEvent {
    }

    /** The reply was stored complete. */
    record Completed(Message reply) implements TurnEvent {
    }

    /** The stream broke after some tokens; the partial reply was stored as incomplete. */
    record Incomplete(Message reply, ApiException cause) implements TurnEvent {
    }

    /** The model answered, but not in the shape asked for; the reply was stored as invalid. */
    record Invalid(Message reply, ApiException cause) implements TurnEvent {
    }

    /** Nothing was generated; {@code reply} is the stored failed reply, or null when even that could not be stored. */
    record Failed(Message reply, ApiException cause) implements TurnEvent {
    }
}
