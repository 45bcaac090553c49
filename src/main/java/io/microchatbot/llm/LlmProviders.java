package io.microchatbot.llm;

import java.util.Optional;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.admission.TurnCapacity;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/** Chooses the providers once at start: the configured OpenAI-compatible endpoints, or the offline one. */
public class LlmProviders {

    /** Made at start, so that an offline service says so in its first log lines, not at its first request. */
    @Produces
    @Singleton
    @Startup
    LlmBackends backends(Vertx vertx, ObjectMapper json, LlmConfig llm, TokenCounter tokens,
            TurnCapacity capacity,
            @ConfigProperty(name = "OPENAI_API_KEY") Optional<String> openAiKey,
            @ConfigProperty(name = "OPENROUTER_API_KEY") Optional<String> openRouterKey) {
        int connections = llm.maxConnections().orElse(capacity.limit());
        LlmProvider primary = llm.baseUrl()
                .filter(url -> !url.isBlank())
                .<LlmProvider> map(url -> remote(vertx, json, llm, connections, llm.provider(), url, llm.apiKey(),
                        openAiKey, openRouterKey, llm.model()))
                .orElseGet(() -> {
                    Log.warn("No LLM configured (CHATBOT_LLM_BASE_URL is unset): replies come from the OFFLINE provider,"
                            + " a fixed deterministic answer for trying the API. Set CHATBOT_LLM_BASE_URL for real replies.");
                    return new OfflineProvider(tokens);
                });
        LlmConfig.Secondary second = llm.secondary();
        Optional<LlmProvider> secondary = second.baseUrl()
                .filter(url -> !url.isBlank())
                .map(url -> remote(vertx, json, llm, connections, second.provider(), url, second.apiKey(), openAiKey,
                        openRouterKey, second.model().orElse("the conversation's model")));
        return new LlmBackends(primary, secondary, second.model());
    }

    private static OpenAiCompatibleProvider remote(Vertx vertx, ObjectMapper json, LlmConfig llm,
            int connections, Optional<String> label, String url, Optional<String> explicitKey,
            Optional<String> openAiKey, Optional<String> openRouterKey, String model) {
        String name = label.orElseGet(() -> OpenAiCompatibleProvider.providerFromUrl(url));
        Optional<String> key = apiKey(name, explicitKey, openAiKey, openRouterKey);
        Log.infof("LLM provider '%s' at %s, model %s%s", name, redacted(url), model, key.isPresent() ? "" : " (no API key)");
        return new OpenAiCompatibleProvider(vertx, json, llm, connections, name, url, key);
    }

    /**
     * CHATBOT_LLM_API_KEY when set; otherwise the well-known variable of the provider the base URL points at
     * (OPENAI_API_KEY for OpenAI, OPENROUTER_API_KEY for OpenRouter), so that a key is never sent to a host it was
     * not issued for (an Ollama or vLLM endpoint, say).
     */
    static Optional<String> apiKey(String provider, Optional<String> explicit, Optional<String> openAi,
            Optional<String> openRouter) {
        Optional<String> key = explicit.filter(k -> !k.isBlank());
        if (key.isPresent()) {
            return key;
        }
        return switch (provider) {
            case "openai" -> openAi.filter(k -> !k.isBlank());
            case "openrouter" -> openRouter.filter(k -> !k.isBlank());
            default -> Optional.empty();
        };
    }

    /** A base URL as it may be logged: without user info, which could hold a credential. */
    static String redacted(String url) {
        return url.replaceFirst("//[^/@]*@", "//***@");
    }

    void close(@Disposes LlmBackends backends) {
        close(backends.primary());
        backends.secondary().ifPresent(LlmProviders::close);
    }

    private static void close(LlmProvider provider) {
        if (provider instanceof OpenAiCompatibleProvider http) {
            http.close();
        }
    }
}
