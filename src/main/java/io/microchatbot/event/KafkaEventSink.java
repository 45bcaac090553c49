package io.microchatbot.event;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.microchatbot.kafka.KafkaSender;
import io.microchatbot.kafka.KafkaUnavailable;
import io.smallrye.mutiny.Uni;

/**
 * Publishes to the events topic: the envelope as the value, keyed by conversation id (the tenant for events of no
 * conversation) so that a conversation's events share a partition and keep their order; the fields of a stream
 * entry (eventType, eventId, tenantId, conversationId) as headers, for routing without parsing.
 */
@ApplicationScoped
class KafkaEventSink implements EventSink {

    private final KafkaSender sender;
    private final EventsConfig config;

    KafkaEventSink(KafkaSender sender, EventsConfig config) {
        this.sender = sender;
        this.config = config;
    }

    @Override
    public Uni<Void> publish(List<PendingEvent> events) {
        return sender.sendAll(events.stream().map(this::record).toList())
                .onFailure(KafkaUnavailable.class).transform(EventSinkUnavailable::new);
    }

    @Override
    public String describe() {
        return "kafka topic " + config.topic();
    }

    private ProducerRecord<String, String> record(PendingEvent event) {
        String conversation = event.conversationId() == null ? null : event.conversationId().toString();
        RecordHeaders headers = new RecordHeaders();
        header(headers, "eventType", event.eventType());
        header(headers, "eventId", event.eventId().toString());
        header(headers, "tenantId", event.tenantId());
        if (conversation != null) {
            header(headers, "conversationId", conversation);
        }
        return new ProducerRecord<>(config.topic(), null, conversation != null ? conversation : event.tenantId(),
                event.envelope(), headers);
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
