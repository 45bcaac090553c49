package io.microchatbot.openai;

import io.microchatbot.Deadline;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.security.Access;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * How a chat completion is answered behind the OpenAI door: {@link StatelessCompletions} asks the LLM and keeps
 * nothing but usage; a conversation-bound mode may store the exchange as well. Both answer with usage always set
 * (the provider's, else an estimate), so that rendering needs no mode of its own.
 */
public interface CompletionMode {

    /** The whole answer; fails with an {@code ApiException} (a problem) when there is none. */
    Uni<LlmCompletion> complete(Access access, ChatCompletionCall call, Deadline deadline);

    /**
     * The answer as it is generated, once its first chunk has come: failing before that means nothing was sent and
     * the caller gets a problem. The stream then ends with one {@link LlmChunk.Finished}, or fails when the provider
     * broke off.
     */
    Uni<Multi<LlmChunk>> stream(Access access, ChatCompletionCall call, Deadline deadline);
}
