package io.microchatbot.admission;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Four turns at once, two waiting, for at most 3 s: small enough to fill from a test. */
public class SmallAdmissionProfile implements QuarkusTestProfile {

    static final int LIMIT = 4;
    static final int QUEUE = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "chatbot.admission.max-concurrent-turns", String.valueOf(LIMIT),
                "chatbot.admission.max-queue", String.valueOf(QUEUE),
                "chatbot.admission.max-queue-wait", "3s",
                // Streams hold their permits on a gate of the fake provider: the tests' 1 s idle timeout would end
                // the first of them while a loaded machine still starts the others.
                "chatbot.llm.idle-timeout", "30s");
    }
}
