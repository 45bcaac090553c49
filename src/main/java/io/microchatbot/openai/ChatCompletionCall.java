package io.microchatbot.openai;

import io.microchatbot.llm.LlmRequest;

/**
 * A valid {@code POST /v1/chat/completions}: what to ask of the LLM, and how the caller wants the answer (streamed,
 * and then whether with a last chunk carrying the usage).
 */
public record ChatCompletionCall(LlmRequest request, boolean stream, boolean includeUsage) {
}
