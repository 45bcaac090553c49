package io.microchatbot.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;

/**
 * Publishes events to the real {@code chatbot.events} stream as the outbox relay does, and deletes what it published.
 * Each test publishes for tenants of its own, so that no test sees another's events.
 */
public final class EventStream {

    public static final String STREAM = "chatbot.events";
    private final List<String> published = new ArrayList<>();

    /** The envelope of an event, as the relay writes it. */
    public static String envelope(String type, UUID eventId, String tenant) {
        return new JsonObject()
                .put("eventType", type)
                .put("eventId", eventId.toString())
                .put("version", 1)
                .put("timestamp", Instant.now().toString())
                .put("correlationId", "test-" + eventId)
                .put("tenantId", tenant)
                .put("data", new JsonObject().put("conversationId", UUID.randomUUID().toString()))
                .encode();
    }

    /** Publishes a new event and returns its id. */
    public UUID publish(String type, String tenant) {
        UUID eventId = UUID.randomUUID();
        publish(type, eventId, tenant, envelope(type, eventId, tenant));
        return eventId;
    }

    /** Publishes an entry with these fields as written; returns the entry's id. */
    public String publish(String type, UUID eventId, String tenant, String envelope) {
        return add("eventType", type, "eventId", String.valueOf(eventId), "tenantId", tenant, "envelope", envelope);
    }

    /** Publishes an entry with any fields, e.g. a malformed one. */
    public String add(String... fieldsAndValues) {
        List<Object> args = new ArrayList<>(List.of(STREAM, "MAXLEN", "~", 20_000, "*"));
        args.addAll(List.of(fieldsAndValues));
        String id = RedisKeys.command(Command.XADD, args.toArray()).toString();
        published.add(id);
        return id;
    }

    /** Deletes every entry this instance published. */
    public void deletePublished() {
        if (!published.isEmpty()) {
            List<Object> args = new ArrayList<>();
            args.add(STREAM);
            args.addAll(published);
            RedisKeys.command(Command.XDEL, args.toArray());
            published.clear();
        }
    }
}
