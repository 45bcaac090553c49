package io.microchatbot.llm;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** A chat-completion backend. Failures are always {@link LlmException}s. */
public interface LlmProvider {

    /** Label stored with each reply ({@code openai}, {@code openrouter}, {@code ollama}, {@code offline} ...). */
    String name();

    /** Whole reply in one response. */
    Uni<LlmCompletion> complete(LlmRequest request);

    /**
     * Reply as it is generated: {@link LlmChunk.Delta}s, then one {@link LlmChunk.Finished} before completion.
     * A stream that ends any other way fails; cancelling it closes the upstream connection.
     */
    Multi<LlmChunk> stream(LlmRequest request);
}
