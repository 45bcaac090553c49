package io.microchatbot.event;

import java.util.List;
import java.util.Map;

import io.microchatbot.testing.KafkaResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The service with Kafka as its events transport, on the test run's broker. */
public class KafkaTransport implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("chatbot.events.transport", "kafka");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaResource.class));
    }
}
