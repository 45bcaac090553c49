package io.microchatbot.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the service at the test run's Kafka broker, which outlives each Quarkus app (so {@link #stop()} leaves it). */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
    }

    @Override
    public void stop() {
        // the broker ends with the JVM (KafkaBroker's shutdown hook)
    }
}
