package io.microchatbot.rest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Message;
import io.microchatbot.api.MessageView;
import io.microchatbot.api.UsageView;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.Problem;
import io.microchatbot.service.TurnEvent;
import io.smallrye.mutiny.Multi;

/**
 * Writes a turn as server-sent events: {@code message.created}, {@code message.delta}…, then exactly one of
 * {@code message.completed}, {@code message.incomplete}, {@code message.invalid} or {@code error}; a reply
 * that calls tools sends {@code message.tool_call.delta}s. Each event's {@code id} is its
 * sequence number within the turn, from 1. Events are formatted here and written as plain chunks, see
 * {@link TurnRepresentation} for why.
 */
@ApplicationScoped
public class TurnEventsSse {

    private final ObjectMapper json;

    TurnEventsSse(ObjectMapper json) {
        this.json = json;
    }

    Multi<String> events(String instance, Multi<TurnEvent> turn) {
        AtomicLong sequence = new AtomicLong();
        String correlationId = CorrelationId.current();
        return turn.map(event -> "id: " + sequence.incrementAndGet() + "\nevent: " + name(event) + "\ndata: "
                + data(event, instance, correlationId) + "\n\n");
    }

    private static String name(TurnEvent event) {
        return switch (event) {
            case TurnEvent.UserMessageStored ignored -> "message.created";
            case TurnEvent.Delta ignored -> "message.delta";
            case TurnEvent.ToolCallDelta ignored -> "message.tool_call.delta";
            case TurnEvent.Invalid ignored -> "message.invalid";
            case TurnEvent.Completed ignored -> "message.completed";
            case TurnEvent.Incomplete ignored -> "message.incomplete";
            case TurnEvent.Failed ignored -> "error";
        };
    }

    private String data(TurnEvent event, String instance, String correlationId) {
        Object payload = switch (event) {
            case TurnEvent.UserMessageStored stored -> MessageView.of(stored.message());
            case TurnEvent.Delta delta -> Map.of("content", delta.content());
            case TurnEvent.ToolCallDelta delta -> toolCallDelta(delta);
            case TurnEvent.Invalid invalid -> withMessage(invalid.reply(), invalid.cause(), instance, correlationId);
            case TurnEvent.Completed completed -> withMessage(completed.reply(), null, instance, correlationId);
            case TurnEvent.Incomplete incomplete ->
                withMessage(incomplete.reply(), incomplete.cause(), instance, correlationId);
            case TurnEvent.Failed failed -> Problem.of(failed.cause(), instance, correlationId);
        };
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a turn event", e);
        }
    }

    /** Only what the fragment carries: the first names the call, later ones add arguments. */
    private static Map<String, Object> toolCallDelta(TurnEvent.ToolCallDelta delta) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("index", delta.index());
        if (delta.id() != null) {
            body.put("id", delta.id());
        }
        if (delta.name() != null) {
            body.put("name", delta.name());
        }
        body.put("arguments", delta.arguments() == null ? "" : delta.arguments());
        return body;
    }

    private static Map<String, Object> withMessage(Message reply, ApiException cause, String instance,
            String correlationId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", MessageView.of(reply));
        body.put("usage", UsageView.of(reply));
        if (cause != null) {
            body.put("error", Problem.of(cause, instance, correlationId));
        }
        return body;
    }
}
