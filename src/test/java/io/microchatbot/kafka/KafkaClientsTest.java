package io.microchatbot.kafka;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches each client of the configured {@code kafka.*} settings: the SASL and TLS settings of managed Kafka
 * pass through, names no client knows (the seed's {@code KAFKA_BROKER}, {@code KAFKA_TOPIC}) do not, and the settings
 * the guarantees rest on cannot be turned off.
 */
class KafkaClientsTest {

    private final KafkaClients clients = new KafkaClients(Map.of(
            "bootstrap.servers", "broker-1:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/truststore.p12",
            "broker", "broker-1:9093",
            "topic", "seed-log",
            "enable.idempotence", "false",
            "acks", "1",
            "enable.auto.commit", "true"));

    @Test
    void managedKafkaSettingsReachEveryClient() {
        for (Map<String, Object> settings : List.of(clients.producer("p"), clients.consumer("c", "g", "earliest", 16),
                clients.admin("a"))) {
            assertThat(settings).containsEntry("bootstrap.servers", "broker-1:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                    .containsKey("sasl.jaas.config")
                    .doesNotContainKeys("broker", "topic");
        }
    }

    @Test
    void theProducerIsIdempotentAndAcknowledgedByAllWhateverIsConfigured() {
        assertThat(clients.producer("p")).containsEntry("enable.idempotence", true).containsEntry("acks", "all")
                .containsEntry("max.in.flight.requests.per.connection", 5);
    }

    @Test
    void consumersNeverAutoCommit() {
        assertThat(clients.consumer("c", "chatbot-service", "earliest", 16))
                .containsEntry("enable.auto.commit", false)
                .containsEntry("group.id", "chatbot-service")
                .containsEntry("auto.offset.reset", "earliest")
                .containsEntry("max.poll.records", 16);
    }
}
