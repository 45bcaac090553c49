package io.microchatbot.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A second fake provider, configured as the service's secondary endpoint ({@code chatbot.llm.secondary.*}). */
public class SecondaryLlmResource implements QuarkusTestResourceLifecycleManager {

    public static final String LABEL = "backup";
    public static final String MODEL = "backup-model";
    private static FakeLlmServer server;

    public static FakeLlmServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new FakeLlmServer();
            int port = server.start();
            return Map.of(
                    "chatbot.llm.secondary.base-url", "http://127.0.0.1:" + port + "/v1",
                    "chatbot.llm.secondary.provider", LABEL,
                    "chatbot.llm.secondary.model", MODEL,
                    "chatbot.llm.secondary.api-key", "sk-secondary-test");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the secondary fake LLM provider", e);
        }
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
