package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.OfflineProvider;
import io.microchatbot.llm.ResilientLlm;

/**
 * Shows which LLM provider answers and the circuit state of every model called so far, without calling it (a
 * readiness probe must not spend tokens). It stays UP while a circuit is open: every pod shares the provider, so
 * taking pods out of rotation would only stop the requests that need no LLM. The offline provider is reported as
 * {@code mode: offline} so that nobody mistakes it for a real one.
 */
@Readiness
@ApplicationScoped
public class LlmProviderHealthCheck implements HealthCheck {

    private final ResilientLlm llm;
    private final LlmConfig config;

    LlmProviderHealthCheck(ResilientLlm llm, LlmConfig config) {
        this.llm = llm;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("llm")
                .up()
                .withData("provider", llm.providerName())
                .withData("model", config.model())
                .withData("mode", OfflineProvider.NAME.equals(llm.providerName()) ? "offline" : "remote");
        llm.circuitStates().forEach((target, state) -> response.withData("circuit." + target,
                state.name().toLowerCase()));
        return response.build();
    }
}
