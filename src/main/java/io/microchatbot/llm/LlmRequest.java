package io.microchatbot.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * What one turn asks of the provider. {@code tools} is empty when the model may call none; {@code toolChoice} and
 * {@code responseFormat} are null when the provider's default applies.
 */
public record LlmRequest(String model, List<ChatMessage> messages, Sampling sampling, List<Tool> tools,
        ToolChoice toolChoice, ResponseFormat responseFormat) {

    public LlmRequest {
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** A plain text request. */
    public LlmRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature) {
        this(model, messages, Sampling.of(maxTokens, temperature), List.of(), null, null);
    }

    /** The same request for another model (a fallback). */
    public LlmRequest withModel(String other) {
        return new LlmRequest(other, messages, sampling, tools, toolChoice, responseFormat);
    }

    /** The same request with more messages after its own (a repair asking the model to correct its reply). */
    public LlmRequest followedBy(List<ChatMessage> more) {
        List<ChatMessage> all = new ArrayList<>(messages);
        all.addAll(more);
        return new LlmRequest(model, all, sampling, tools, toolChoice, responseFormat);
    }
}
