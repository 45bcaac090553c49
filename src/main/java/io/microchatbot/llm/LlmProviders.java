package io.microchatbot.llm;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.config.ChatbotConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/** Chooses the provider once at start: the configured OpenAI-compatible endpoint, or the offline one. */
public class LlmProviders {

    /** Made at start, so that an offline service says so in its first log lines, not at its first request. */
    @Produces
    @ApplicationScoped
    @Startup
    LlmProvider provider(Vertx vertx, ObjectMapper json, ChatbotConfig config, TokenCounter tokens,
            @ConfigProperty(name = "OPENAI_API_KEY") Optional<String> openAiKey,
            @ConfigProperty(name = "OPENROUTER_API_KEY") Optional<String> openRouterKey) {
        return config.llm().baseUrl()
                .filter(url -> !url.isBlank())
                .<LlmProvider> map(url -> {
                    String name = config.llm().provider().orElseGet(() -> OpenAiCompatibleProvider.providerFromUrl(url));
                    Optional<String> key = apiKey(name, config.llm().apiKey(), openAiKey, openRouterKey);
                    OpenAiCompatibleProvider provider = new OpenAiCompatibleProvider(vertx, json, config.llm(), url, key);
                    Log.infof("LLM provider '%s' at %s, default model %s%s", provider.name(), redacted(url),
                            config.llm().model(), key.isPresent() ? "" : " (no API key)");
                    return provider;
                })
                .orElseGet(() -> {
                    Log.warn("No LLM configured (CHATBOT_LLM_BASE_URL is unset): replies come from the OFFLINE provider,"
                            + " a fixed deterministic answer for trying the API. Set CHATBOT_LLM_BASE_URL for real replies.");
                    return new OfflineProvider(tokens);
                });
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

    void close(@Disposes LlmProvider provider) {
        if (provider instanceof OpenAiCompatibleProvider http) {
            http.close();
        }
    }
}
