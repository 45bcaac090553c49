package io.microchatbot.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.smallrye.common.annotation.Identifier;

/**
 * The settings of the service's Kafka clients: every {@code kafka.*} property (and {@code KAFKA_*} variable, such
 * as {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG} or
 * {@code KAFKA_SSL_TRUSTSTORE_LOCATION}) passed through to each client that knows it, on top of defaults that keep a
 * call to an unreachable broker short. What the guarantees rest on is set last and cannot be changed: an idempotent
 * producer acknowledged by all in-sync replicas, consumers that commit only what was processed.
 */
@ApplicationScoped
public class KafkaClients {

    private final Map<String, Object> configured;

    KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> configured) {
        this.configured = configured;
    }

    public Map<String, Object> producer(String clientId) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        passThrough(settings, ProducerConfig.configNames());
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // the most idempotence keeps in order
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return settings;
    }

    /** A consumer of a group that starts, when the group is new, at {@code startAt} (earliest or latest). */
    public Map<String, Object> consumer(String clientId, String group, String startAt, int maxPollRecords) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startAt);
        settings.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        passThrough(settings, ConsumerConfig.configNames());
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return settings;
    }

    public Map<String, Object> admin(String clientId) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        passThrough(settings, AdminClientConfig.configNames());
        return settings;
    }

    /** Only the names the client knows: {@code KAFKA_BROKER} or {@code KAFKA_TOPIC} are not client settings. */
    private void passThrough(Map<String, Object> settings, Set<String> known) {
        configured.forEach((name, value) -> {
            if (known.contains(name)) {
                settings.put(name, value);
            }
        });
    }
}
