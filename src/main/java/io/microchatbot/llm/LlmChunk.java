package io.microchatbot.llm;

/** One piece of a streamed reply: text as it comes, then exactly one {@link Finished} at the very end. */
public sealed interface LlmChunk {

    record Delta(String content) implements LlmChunk {
    }

    /** The provider said the reply is over; {@code usage} is null when it reported none. */
    record Finished(String model, String finishReason, LlmUsage usage) implements LlmChunk {
    }
}
