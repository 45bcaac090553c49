package io.microchatbot.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the fake provider once for the test run and points the service at it. */
public class FakeLlmResource implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "sk-test-never-logged-0123456789";
    public static final String REFERER = "https://chat.example.test";
    public static final String APP_TITLE = "micro-chatbot-service tests";
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
                    "chatbot.llm.base-url", "http://127.0.0.1:" + port + "/v1",
                    "chatbot.llm.api-key", API_KEY,
                    "chatbot.llm.model", FakeLlmServer.MODEL,
                    "chatbot.llm.http-referer", REFERER,
                    "chatbot.llm.app-title", APP_TITLE);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the fake LLM provider", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
