package io.microchatbot.llm;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.config.ChatbotConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;

/** Chooses the provider once at start: the configured OpenAI-compatible endpoint, or the offline one. */
public class LlmProviders {

    @Produces
    @ApplicationScoped
    LlmProvider provider(Vertx vertx, ObjectMapper json, ChatbotConfig config, TokenCounter tokens) {
        return config.llm().baseUrl()
                .filter(url -> !url.isBlank())
                .<LlmProvider> map(url -> {
                    OpenAiCompatibleProvider provider = new OpenAiCompatibleProvider(vertx, json, config.llm(), url);
                    Log.infof("LLM provider '%s' at %s, default model %s%s", provider.name(), url, config.llm().model(),
                            config.llm().apiKey().isPresent() ? "" : " (no API key set)");
                    return provider;
                })
                .orElseGet(() -> {
                    Log.warn("No LLM configured (CHATBOT_LLM_BASE_URL is unset): replies come from the OFFLINE provider,"
                            + " a fixed deterministic answer for trying the API. Set CHATBOT_LLM_BASE_URL for real replies.");
                    return new OfflineProvider(tokens);
                });
    }

    void close(@Disposes LlmProvider provider) {
        if (provider instanceof OpenAiCompatibleProvider http) {
            http.close();
        }
    }
}
