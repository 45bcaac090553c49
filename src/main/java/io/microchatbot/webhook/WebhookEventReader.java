package io.microchatbot.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.event.EventsConfig;
import io.microchatbot.event.EventsTransport;
import io.microchatbot.event.Periodic;
import io.microchatbot.kafka.KafkaClients;
import io.microchatbot.kafka.KafkaGroupConsumer;
import io.microchatbot.kafka.RecordHandler;
import io.microchatbot.redis.StreamEntry;
import io.microchatbot.redis.StreamGroup;
import io.microchatbot.redis.StreamGroupConsumer;
import io.microchatbot.redis.StreamGroups;
import io.microchatbot.redis.StreamHandler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Turns the events of the events stream (or, when Kafka is the transport, of the events topic: see
 * {@link #handle(List, RecordHandler.Done)}) into deliveries. Every replica is one consumer of the group
 * {@code chatbot.webhooks.group} ({@link StreamGroupConsumer}): it reads new entries (blocking in Redis for up to
 * {@link #BLOCK}), adds the deliveries of a whole batch in one statement ({@link DeliveryQueue#enqueue}), then
 * acknowledges the batch. An entry read again (a crash between insert and acknowledgement) adds nothing. Entries
 * another consumer left unacknowledged for {@code reclaim-after} (its pod died) are taken over with XAUTOCLAIM.
 * <p>
 * It has a Redis client of its own, so that a read blocked in Redis never holds one of the connections requests
 * share, and so that the requests' short command timeout and circuit breaker do not apply to it. While Redis or
 * PostgreSQL fails, it waits 1 s, doubling up to {@code read-retry-max-delay}, between tries; on the next try it
 * first reads again what it had read and not acknowledged. On shutdown the read in flight and its batch get 3 s at
 * most, then it leaves the group if nothing it read is left unacknowledged.
 */
@ApplicationScoped
public class WebhookEventReader implements StreamHandler, RecordHandler {

    /** A read waits this long for new entries; also how soon a stop is noticed. */
    static final Duration BLOCK = Duration.ofSeconds(2);
    /** A command not answered within this (beyond {@link #BLOCK} for a read) counts as Redis failing. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);

    private final WebhooksConfig config;
    private final DeliveryQueue queue;
    private final ObjectMapper json;
    private final StreamGroups groups;
    private final EventsConfig events;
    private final KafkaClients kafka;
    private final Vertx vertx;
    private final AtomicBoolean enqueuing = new AtomicBoolean();
    private StreamGroupConsumer stream;
    private KafkaGroupConsumer topic;

    WebhookEventReader(WebhooksConfig config, DeliveryQueue queue, ObjectMapper json, StreamGroups groups,
            EventsConfig events, KafkaClients kafka, Vertx vertx) {
        this.config = config;
        this.queue = queue;
        this.json = json;
        this.groups = groups;
        this.events = events;
        this.kafka = kafka;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled() && events.transport() == EventsTransport.kafka) {
            // A new group starts at the newest event, as on the stream ("$").
            topic = new KafkaGroupConsumer("webhooks", config.topic(), kafka.consumer(
                    StreamEntry.consumerName("chatbot") + "-webhooks", config.group(), "latest", config.batch()),
                    BLOCK, this);
            topic.start();
        } else if (config.enabled()) {
            stream = groups.dedicated(new StreamGroup("webhooks", config.stream(), config.group(), "$", config.batch(),
                    BLOCK, Duration.ZERO, config.reclaimAfter(), COMMAND_TIMEOUT,
                    new StreamGroup.Backoff(FIRST_RETRY_DELAY, config.readRetryMaxDelay()), true), this);
            stream.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (stream != null) {
            stream.stop();
        }
        if (topic != null) {
            topic.stop();
        }
    }

    /** One batch of the topic at a time: the next is fetched once this one's deliveries are added. */
    @Override
    public int room() {
        return enqueuing.get() ? 0 : config.batch();
    }

    /**
     * Adds the deliveries of a batch of the events topic, trying again (1 s, doubling up to read-retry-max-delay)
     * while PostgreSQL fails; the records count as done, and their offsets may be committed, only once added.
     */
    @Override
    public void handle(List<ConsumerRecord<String, String>> records, RecordHandler.Done done) {
        enqueuing.set(true);
        List<StreamEntry> entries = records.stream().map(WebhookEventReader::entry).toList();
        Periodic.onFreshContext(vertx, "Webhook fan-out", () -> enqueue(entries)
                .onFailure().retry().withBackOff(FIRST_RETRY_DELAY, config.readRetryMaxDelay()).indefinitely()
                .invoke(() -> records.forEach(done::done))
                .onTermination().invoke(() -> enqueuing.set(false)));
    }

    /** A record as the fields of a stream entry: its headers, and its value as the envelope. */
    private static StreamEntry entry(ConsumerRecord<String, String> record) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            fields.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        fields.put("envelope", record.value());
        return new StreamEntry(record.topic() + "-" + record.partition() + "@" + record.offset(), fields);
    }

    @Override
    public Uni<Void> handle(List<StreamEntry> entries) {
        return enqueue(entries).chain(() -> stream.acknowledge(entries));
    }

    private Uni<Void> enqueue(List<StreamEntry> entries) {
        Map<UUID, StreamEvent> read = new LinkedHashMap<>();
        entries.forEach(entry -> event(entry).ifPresent(e -> read.putIfAbsent(e.eventId(), e)));
        return queue.enqueue(List.copyOf(read.values()))
                .invoke(added -> Log.debugf("%d event(s) read, %d webhook deliveries added", entries.size(), added))
                .replaceWithVoid();
    }

    /** The entry as an event; empty (and acknowledged with the others) when it is not one. */
    private Optional<StreamEvent> event(StreamEntry entry) {
        try {
            return Optional.of(parse(entry.fields()));
        } catch (IllegalArgumentException invalid) {
            return skipped(entry, invalid.getMessage());
        } catch (JsonProcessingException notJson) {
            return skipped(entry, "envelope is not JSON");
        }
    }

    private Optional<StreamEvent> skipped(StreamEntry entry, String why) {
        Log.warnf("Entry %s of the events is not an event and was skipped: %s", entry.id(), why);
        return Optional.empty();
    }

    private StreamEvent parse(Map<String, String> fields) throws JsonProcessingException {
        UUID eventId = UUID.fromString(required(fields, "eventId"));
        String envelope = required(fields, "envelope");
        if (!json.readTree(envelope).isObject()) {
            throw new IllegalArgumentException("envelope is not a JSON object");
        }
        return new StreamEvent(eventId, required(fields, "eventType"), required(fields, "tenantId"), envelope);
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return value;
    }
}
