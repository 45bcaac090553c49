package io.microchatbot.llm;

import java.util.List;

/** What one turn asks of the provider. */
public record LlmRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature) {

    /** The same request for another model (a fallback). */
    public LlmRequest withModel(String other) {
        return new LlmRequest(other, messages, maxTokens, temperature);
    }
}
