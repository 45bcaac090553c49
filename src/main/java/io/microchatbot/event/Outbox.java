package io.microchatbot.event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.correlation.CorrelationId;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/**
 * Writes events into the outbox. Every method must be called inside the transaction of the change it tells about:
 * the event is then committed with it, or not at all, and published later by {@link OutboxRelay}.
 */
@ApplicationScoped
public class Outbox implements PanacheRepositoryBase<OutboxEvent, Long> {

    private final ObjectMapper json;

    Outbox(ObjectMapper json) {
        this.json = json;
    }

    public Uni<Void> conversationCreated(Conversation conversation) {
        ObjectNode data = json.createObjectNode()
                .put("conversationId", conversation.id.toString())
                .put("userId", conversation.userId)
                .put("title", conversation.title)
                .put("model", conversation.model)
                .put("createdAt", conversation.createdAt.toString());
        return record(EventType.CONVERSATION_CREATED, conversation.tenantId, conversation.id, data);
    }

    public Uni<Void> conversationDeleted(Conversation conversation) {
        ObjectNode data = json.createObjectNode()
                .put("conversationId", conversation.id.toString())
                .put("userId", conversation.userId)
                .put("messageCount", conversation.messageCount);
        return record(EventType.CONVERSATION_DELETED, conversation.tenantId, conversation.id, data);
    }

    /**
     * A user message (or tool result) stored by a turn, as the turn's own statement inserts it (see TurnStatements),
     * or a summary stored by history compaction.
     */
    public OutboxEntry messageCreatedEntry(Message message) {
        return entry(EventType.MESSAGE_CREATED, message.tenantId, message.conversationId, messageData(message));
    }

    /** A reply stored, as the turn's own statement inserts it. */
    public OutboxEntry replyStoredEntry(Message reply, UUID replyTo) {
        return entry(replyType(reply), reply.tenantId, reply.conversationId, replyData(reply, replyTo));
    }

    /** A reply stored: {@code reply-completed} when complete, else {@code reply-failed} (failed or incomplete). */
    public Uni<Void> replyStored(Message reply, UUID replyTo) {
        return record(replyType(reply), reply.tenantId, reply.conversationId, replyData(reply, replyTo));
    }

    /**
     * A soft spending limit reached: the id is given (derived from the budget and its period) so that the event is
     * recorded once however often it is written.
     */
    public OutboxEntry softLimitReachedEntry(UUID eventId, String tenantId, ObjectNode data) {
        return entry(eventId, EventType.BUDGET_SOFT_LIMIT_REACHED, tenantId, null, data);
    }

    private static EventType replyType(Message reply) {
        return reply.status == MessageStatus.complete ? EventType.REPLY_COMPLETED : EventType.REPLY_FAILED;
    }

    private ObjectNode replyData(Message reply, UUID replyTo) {
        ObjectNode data = messageData(reply)
                .put("replyTo", replyTo.toString())
                .put("status", reply.status.name())
                .put("model", reply.model)
                .put("provider", reply.provider)
                .put("finishReason", reply.finishReason)
                .put("latencyMs", reply.latencyMs);
        if (reply.totalTokens != null) {
            data.putObject("usage")
                    .put("promptTokens", reply.promptTokens)
                    .put("completionTokens", reply.completionTokens)
                    .put("totalTokens", reply.totalTokens);
        }
        data.set("error", errorOf(reply));
        if (reply.toolCalls != null) {
            data.set("toolCalls", readTree(reply.toolCalls));
        }
        return data;
    }

    private ObjectNode messageData(Message message) {
        ObjectNode data = json.createObjectNode()
                .put("conversationId", message.conversationId.toString())
                .put("messageId", message.id.toString())
                .put("userId", message.userId)
                .put("role", message.messageType.name())
                .put("content", message.content)
                .put("createdAt", message.createdAt.toString());
        if (message.toolCallId != null) {
            data.put("toolCallId", message.toolCallId);
        }
        if (message.isSummary()) {
            data.put("kind", message.kind);
            data.putObject("summary")
                    .put("fromMessageId", message.coversFromId.toString())
                    .put("toMessageId", message.coversToId.toString())
                    .put("messageCount", message.coversCount);
        }
        return data;
    }

    private JsonNode readTree(String stored) {
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored JSON column is not JSON", e);
        }
    }

    /** The reply's error as its metadata records it ({@code code}, {@code detail}), or null. */
    private JsonNode errorOf(Message reply) {
        try {
            return json.readTree(reply.metadata).get("error");
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private Uni<Void> record(EventType type, String tenantId, UUID conversationId, ObjectNode data) {
        OutboxEntry entry = entry(type, tenantId, conversationId, data);
        OutboxEvent event = new OutboxEvent();
        event.eventId = entry.eventId();
        event.eventType = entry.eventType();
        event.tenantId = entry.tenantId();
        event.conversationId = entry.conversationId();
        event.createdAt = entry.createdAt();
        event.envelope = entry.envelope();
        return persist(event).replaceWithVoid();
    }

    private OutboxEntry entry(EventType type, String tenantId, UUID conversationId, ObjectNode data) {
        return entry(UUID.randomUUID(), type, tenantId, conversationId, data);
    }

    private OutboxEntry entry(UUID eventId, EventType type, String tenantId, UUID conversationId, ObjectNode data) {
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ObjectNode envelope = json.createObjectNode()
                .put("eventType", type.wireName())
                .put("eventId", eventId.toString())
                .put("version", EventType.VERSION)
                .put("timestamp", createdAt.toString())
                .put("correlationId", CorrelationId.current())
                .put("tenantId", tenantId);
        envelope.set("data", data);
        return new OutboxEntry(eventId, type.wireName(), tenantId, conversationId, createdAt, envelope.toString());
    }
}
