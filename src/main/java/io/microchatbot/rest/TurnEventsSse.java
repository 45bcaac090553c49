package io.microchatbot.rest;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.service.TurnEvent;
import io.microchatbot.turns.TurnEventJson;
import io.smallrye.mutiny.Multi;

/**
 * Writes a turn as server-sent events: {@code message.created}, {@code message.delta}…, then exactly one of
 * {@code message.completed}, {@code message.incomplete}, {@code message.invalid} or {@code error}; a reply
 * that calls tools sends {@code message.tool_call.delta}s. Each event's {@code id} is its sequence number within
 * the turn, from 1, the same as in the turn's feed (turns.RedisTurnFeed), so that a caller who lost the stream
 * follows it again from its {@code Last-Event-ID}. Events are formatted here and written as plain chunks, see
 * {@link TurnRepresentation} for why.
 */
@ApplicationScoped
public class TurnEventsSse {

    private final TurnEventJson json;

    TurnEventsSse(TurnEventJson json) {
        this.json = json;
    }

    Multi<String> events(String instance, Multi<TurnEvent> turn) {
        AtomicLong sequence = new AtomicLong();
        String correlationId = CorrelationId.current();
        return turn.map(event -> TurnEventJson.sse(sequence.incrementAndGet(), TurnEventJson.name(event),
                json.data(event, instance, correlationId)));
    }
}
