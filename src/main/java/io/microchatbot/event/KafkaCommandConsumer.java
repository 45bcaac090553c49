package io.microchatbot.event;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.microchatbot.kafka.KafkaClients;
import io.microchatbot.kafka.KafkaGroupConsumer;
import io.microchatbot.kafka.KafkaSender;
import io.microchatbot.kafka.RecordHandler;
import io.microchatbot.redis.StreamEntry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Reads commands from the commands topic as one consumer of the group {@code chatbot.commands.group} (every replica
 * is one) and hands them to the {@link CommandRunner}; a record's offset is committed once its command is done or
 * dead-lettered. A failed command goes to the dead-letter topic: its key, value and headers as written, plus
 * headers saying why. A dead letter the broker does not take is tried again (1 s, doubling up to 30 s) before the
 * record counts as done, so none is lost. Used when Kafka is the transport.
 */
@ApplicationScoped
public class KafkaCommandConsumer implements RecordHandler {

    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);
    private static final Duration DEAD_LETTER_RETRY_MAX = Duration.ofSeconds(30);

    private final CommandRunner runner;
    private final CommandsConfig config;
    private final EventsConfig events;
    private final KafkaClients clients;
    private final KafkaSender sender;
    private KafkaGroupConsumer consumer;

    KafkaCommandConsumer(CommandRunner runner, CommandsConfig config, EventsConfig events, KafkaClients clients,
            KafkaSender sender) {
        this.runner = runner;
        this.config = config;
        this.events = events;
        this.clients = clients;
        this.sender = sender;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled() && events.transport() == EventsTransport.kafka) {
            consumer = new KafkaGroupConsumer("commands", config.topic(), clients.consumer(
                    StreamEntry.consumerName("chatbot") + "-commands", config.group(), "earliest", config.batch()),
                    config.pollInterval(), this);
            consumer.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.stop();
        }
    }

    @Override
    public int room() {
        return runner.room();
    }

    @Override
    public void handle(List<ConsumerRecord<String, String>> records, Done done) {
        records.forEach(record -> runner.run(new TopicCommand(record, done)));
    }

    /** A command read from the topic: acknowledged by letting its offset be committed. */
    private final class TopicCommand implements CommandDelivery {
        private final ConsumerRecord<String, String> record;
        private final Done done;

        TopicCommand(ConsumerRecord<String, String> record, Done done) {
            this.record = record;
            this.done = done;
        }

        @Override
        public String id() {
            return record.topic() + "-" + record.partition() + "@" + record.offset();
        }

        @Override
        public String command() {
            return record.value();
        }

        @Override
        public Uni<Void> acknowledge() {
            done.done(record);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> deadLetter(Map<String, String> failure) {
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            failure.forEach((name, value) -> header(headers, name, value));
            header(headers, "sourceTopic", record.topic());
            header(headers, "sourcePartition", String.valueOf(record.partition()));
            header(headers, "sourceOffset", String.valueOf(record.offset()));
            return sender.send(new ProducerRecord<>(config.deadLetterTopic(), null, record.key(), record.value(),
                    headers))
                    .onFailure().retry().withBackOff(DEAD_LETTER_RETRY, DEAD_LETTER_RETRY_MAX).indefinitely()
                    .chain(this::acknowledge);
        }

        private static void header(RecordHeaders headers, String name, String value) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
