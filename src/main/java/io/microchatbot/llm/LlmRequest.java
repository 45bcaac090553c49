package io.microchatbot.llm;

import java.util.List;

/** What one turn asks of the provider. */
public record LlmRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature) {
}
