package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.llm.LlmProvider;
import io.microchatbot.llm.OfflineProvider;

/**
 * Shows which LLM provider answers, without calling it (a readiness probe must not spend tokens). The offline
 * provider is reported as {@code mode: offline} so that nobody mistakes it for a real one.
 */
@Readiness
@ApplicationScoped
public class LlmProviderHealthCheck implements HealthCheck {

    private final LlmProvider provider;
    private final ChatbotConfig config;

    LlmProviderHealthCheck(LlmProvider provider, ChatbotConfig config) {
        this.provider = provider;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("llm")
                .up()
                .withData("provider", provider.name())
                .withData("model", config.llm().model())
                .withData("mode", OfflineProvider.NAME.equals(provider.name()) ? "offline" : "remote")
                .build();
    }
}
