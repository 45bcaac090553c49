package io.microchatbot.turns;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Message;
import io.microchatbot.api.MessageView;
import io.microchatbot.api.UsageView;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.Problem;
import io.microchatbot.service.TurnEvent;

/**
 * A turn's events as the API writes them: an event name ({@code message.created}, {@code message.delta}…, one
 * terminal) and its JSON data. The one encoding of the turn's own stream and of the feed its followers read.
 */
@ApplicationScoped
public class TurnEventJson {

    private final ObjectMapper json;

    TurnEventJson(ObjectMapper json) {
        this.json = json;
    }

    public static String name(TurnEvent event) {
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

    /** One server-sent event; {@code id} is its sequence number within the turn, from 1. */
    public static String sse(long id, String name, String data) {
        return "id: " + id + "\nevent: " + name + "\ndata: " + data + "\n\n";
    }

    /** Whether an event of this name, as read back from a feed, ends its turn's stream ({@link TurnEvent#terminal}). */
    public static boolean terminal(String name) {
        return switch (name) {
            case "message.completed", "message.incomplete", "message.invalid", "error" -> true;
            default -> false;
        };
    }

    public String data(TurnEvent event, String instance, String correlationId) {
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

    /** The terminal event a stored reply stands for, with the problem its metadata recorded. */
    public TurnEvent terminalOf(Message reply) {
        return switch (reply.status) {
            case complete -> new TurnEvent.Completed(reply);
            case incomplete -> new TurnEvent.Incomplete(reply, recordedError(reply));
            case invalid -> new TurnEvent.Invalid(reply, recordedError(reply));
            case failed -> new TurnEvent.Failed(reply, recordedError(reply));
        };
    }

    private ApiException recordedError(Message reply) {
        try {
            JsonNode error = reply.metadata == null ? null : json.readTree(reply.metadata).path("error");
            if (error != null && error.hasNonNull("code")) {
                return new ApiException(ErrorCode.valueOf(error.get("code").asText()), error.path("detail").asText());
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // An unreadable record is reported as what the status says.
        }
        return new ApiException(ErrorCode.internal_error, "The reply was stored as " + reply.status);
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
