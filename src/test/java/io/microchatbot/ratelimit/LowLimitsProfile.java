package io.microchatbot.ratelimit;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Limits small enough to reach in a test: 3 turns and 5 other calls per caller in a burst, 2 turns at once. */
public class LowLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("chatbot.rate-limit.rate", "0.2"),
                Map.entry("chatbot.rate-limit.capacity", "3"),
                Map.entry("chatbot.rate-limit.read-rate", "0.2"),
                Map.entry("chatbot.rate-limit.read-capacity", "5"),
                Map.entry("chatbot.rate-limit.tenant-rate", "1000"),
                Map.entry("chatbot.rate-limit.tenant-capacity", "1000"),
                Map.entry("chatbot.rate-limit.tenant-read-rate", "1000"),
                Map.entry("chatbot.rate-limit.tenant-read-capacity", "1000"),
                Map.entry("chatbot.rate-limit.max-concurrent-turns", "2"),
                Map.entry("chatbot.rate-limit.turn-lease", "3s"),
                Map.entry("chatbot.rate-limit.tenant-tokens-per-minute", "60"));
    }
}
