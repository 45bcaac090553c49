package io.microchatbot.llm;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineProviderTest {

    private final OfflineProvider offline = new OfflineProvider(new TokenCounter());
    private final LlmRequest request = new LlmRequest("any-model",
            List.of(new ChatMessage("system", "Be nice."), new ChatMessage("user", "What is up?")), 100, 0.5);

    @Test
    void answersDeterministicallyAndSaysItIsOffline() {
        LlmCompletion first = offline.complete(request).await().atMost(Duration.ofSeconds(5));
        LlmCompletion second = offline.complete(request).await().atMost(Duration.ofSeconds(5));
        assertThat(first).isEqualTo(second);
        assertThat(first.provider()).isEqualTo("offline");
        assertThat(first.content()).contains("offline").contains("CHATBOT_LLM_BASE_URL").endsWith("What is up?");
        assertThat(first.usage().completionTokens()).isPositive();
    }

    @Test
    void streamConcatenatesToTheSameReplyAndEndsWithOneFinished() {
        List<LlmChunk> chunks = offline.stream(request).collect().asList().await().atMost(Duration.ofSeconds(10));
        String text = chunks.stream().filter(LlmChunk.Delta.class::isInstance)
                .map(c -> ((LlmChunk.Delta) c).content()).reduce("", String::concat);
        assertThat(text).isEqualTo(offline.complete(request).await().indefinitely().content());
        assertThat(chunks.get(chunks.size() - 1)).isInstanceOf(LlmChunk.Finished.class);
        assertThat(chunks).filteredOn(LlmChunk.Finished.class::isInstance).hasSize(1);
    }
}
