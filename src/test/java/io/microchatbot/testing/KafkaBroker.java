package io.microchatbot.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The real Kafka broker of the test run: started once per JVM ({@link #shared()}), outliving every Quarkus app of the
 * run, ended with the JVM. Tests may {@link #stop()} it to play "broker down" and must {@link #start()} it again: on
 * the same ports and data, so topics and committed offsets survive.
 */
public final class KafkaBroker {

    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static KafkaBroker shared;

    private final KafkaBrokerProcess process = new KafkaBrokerProcess();
    // Made once the broker listens and closed when it stops: a client of a broker that is down logs a warning for
    // each refused connection.
    private Admin admin;
    private KafkaProducer<String, String> producer;

    private KafkaBroker() {
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "kafka-broker-shutdown"));
    }

    /** The broker of this JVM, started (and waited for) on first use. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            KafkaBroker broker = new KafkaBroker();
            broker.start();
            shared = broker;
        }
        return shared;
    }

    public String bootstrapServers() {
        return process.bootstrapServers();
    }

    /** Starts the broker unless it runs, and returns once clients can use it; fails after 60 s with its log's tail. */
    public synchronized void start() {
        long began = System.nanoTime();
        process.launch();
        awaitReady(began);
    }

    /** Stops the broker (SIGTERM, SIGKILL after 20 s); clients see it down until {@link #start()}. */
    public synchronized void stop() {
        closeClients();
        process.stop();
    }

    /** Creates the topic (one replica); one that exists already is fine, whatever its partitions. */
    public void createTopic(String name, int partitions) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name, e);
        }
    }

    /** Writes one record (acks=all) and waits for the broker's acknowledgement. */
    public void send(String topic, String key, String value, Map<String, String> headers) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        try {
            producer().send(record).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot send to " + topic, e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Cannot send to " + topic, e);
        }
    }

    /**
     * Reads the topic from its beginning, all partitions, without a consumer group (so no offsets are committed),
     * until at least {@code expectedAtLeast} records came or the timeout passed; returns what it read either way.
     */
    public List<ConsumerRecord<String, String>> readAll(String topic, Duration timeout, int expectedAtLeast) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < expectedAtLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<String, String> consumer, String topic,
            long deadline) {
        while (System.nanoTime() < deadline) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2));
            if (!partitions.isEmpty()) {
                return partitions.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            }
            pause();
        }
        return List.of();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000));
        }
        return admin;
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000),
                    new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    private void closeClients() {
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private void awaitReady(long began) {
        long deadline = began + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw notReady("the broker exited");
            }
            // The port first: a client would log a warning for each refused connection.
            if (process.listening() && clusterAnswers()) {
                LOG.infof("Kafka broker ready at %s in %d ms", bootstrapServers(),
                        Duration.ofNanos(System.nanoTime() - began).toMillis());
                return;
            }
            pause();
        }
        throw notReady("not ready within " + READY_TIMEOUT.toSeconds() + " s");
    }

    private boolean clusterAnswers() {
        try {
            return !admin().describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notReady("interrupted");
        }
    }

    private IllegalStateException notReady(String why) {
        return new IllegalStateException("Kafka broker at " + bootstrapServers() + ": " + why + "; the end of its log ("
                + process.log() + "):\n" + process.logTail(40));
    }
}
