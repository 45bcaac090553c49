package io.microchatbot.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test broker is real: keyed records, consumer groups, an outage and a restart that keeps topic and offsets. */
class KafkaBrokerTest {

    private final KafkaBroker broker = KafkaBroker.shared();
    private final String topic = "broker-test-" + UUID.randomUUID();
    private final String group = "broker-test-" + UUID.randomUUID();

    @Test
    void outageFailsSendsInBoundedTimeAndRestartKeepsTopicAndCommittedOffsets() throws Exception {
        broker.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = idempotentProducer()) {
            sendAll(producer, "before", 6);
            List<ConsumerRecord<String, String>> before = consumeAndCommit(6);
            assertThat(before).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values("before", 6));
            assertThat(before).allSatisfy(record -> assertThat(record.partition())
                    .isEqualTo(partitionOf(before, record.key())));

            broker.stop();
            try {
                long began = System.nanoTime();
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "id-x", "during")).get())
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
            } finally {
                broker.start();
            }

            assertThat(partitionCount()).isEqualTo(3);
            sendAll(producer, "after", 3);
            assertThat(consumeAndCommit(3)).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values("after", 3));
        }
        assertThat(broker.readAll(topic, Duration.ofSeconds(10), 9)).hasSize(9);
    }

    private KafkaProducer<String, String> idempotentProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                // Bounds what a send waits for while the broker is down: delivery ≥ request timeout + linger.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000),
                new StringSerializer(), new StringSerializer());
    }

    private void sendAll(KafkaProducer<String, String> producer, String prefix, int count) throws Exception {
        List<String> values = values(prefix, count);
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, "id-" + i % 3, values.get(i))).get(30, TimeUnit.SECONDS);
        }
    }

    /** A member of the group, reading from its committed offsets (from the start for a new group). */
    private List<ConsumerRecord<String, String>> consumeAndCommit(int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.commitSync();
        }
        return records;
    }

    private int partitionCount() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        }
    }

    private static int partitionOf(List<ConsumerRecord<String, String>> records, String key) {
        return records.stream().filter(record -> record.key().equals(key)).findFirst().orElseThrow().partition();
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
