package io.microchatbot.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer to a cancel: {@code settled} with the stored reply (incomplete, {@code cancelled}, unless the turn
 * finished first), or {@code cancelling} when the reply was not stored within the wait; {@code turn_events} is
 * where the turn can be followed to its end either way.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CancelTurnView(String status, MessageView message, String turn_events) {
}
