package io.microchatbot.llm;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LlmProvidersTest {

    private static final Optional<String> OPENAI = Optional.of("sk-openai");
    private static final Optional<String> OPENROUTER = Optional.of("sk-or");

    @Test
    void explicitKeyWinsForAnyProvider() {
        assertThat(LlmProviders.apiKey("ollama", Optional.of("mine"), OPENAI, OPENROUTER)).contains("mine");
        assertThat(LlmProviders.apiKey("openai", Optional.of("mine"), OPENAI, OPENROUTER)).contains("mine");
    }

    @Test
    void wellKnownKeysGoOnlyToTheirOwnProvider() {
        assertThat(LlmProviders.apiKey("openai", Optional.empty(), OPENAI, OPENROUTER)).contains("sk-openai");
        assertThat(LlmProviders.apiKey("openrouter", Optional.empty(), OPENAI, OPENROUTER)).contains("sk-or");
        assertThat(LlmProviders.apiKey("ollama", Optional.empty(), OPENAI, OPENROUTER)).isEmpty();
        assertThat(LlmProviders.apiKey("openai-compatible", Optional.empty(), OPENAI, OPENROUTER)).isEmpty();
    }

    @Test
    void blankKeysCountAsAbsent() {
        assertThat(LlmProviders.apiKey("openai", Optional.of(" "), Optional.of(""), OPENROUTER)).isEmpty();
    }

    @Test
    void credentialsInABaseUrlAreNotLogged() {
        assertThat(LlmProviders.redacted("https://user:secret@gateway.example/v1")).isEqualTo("https://***@gateway.example/v1");
        assertThat(LlmProviders.redacted("http://localhost:11434/v1")).isEqualTo("http://localhost:11434/v1");
    }
}
