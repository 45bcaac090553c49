package io.microchatbot.llm;

/**
 * One piece of a streamed reply: text and tool-call fragments as they come, then exactly one {@link Finished} at
 * the very end.
 */
public sealed interface LlmChunk {

    record Delta(String content) implements LlmChunk {
    }

    /**
     * A fragment of the tool call at {@code index}: its first fragment names the call ({@code id}, {@code name}),
     * every fragment may add text to its {@code arguments}. {@link ToolCallAssembly} joins them.
     */
    record ToolCallDelta(int index, String id, String name, String arguments) implements LlmChunk {
    }

    /**
     * The provider said the reply is over; {@code usage} is null when it reported none, {@code attempts} counts the
     * calls it took to get the stream going (retries and fallback models included).
     */
    record Finished(String model, String finishReason, LlmUsage usage, int attempts, String provider)
            implements
                LlmChunk {

        /** As relayed to the caller: with the calls it took and the provider that answered. */
        public Finished answeredBy(String providerName, int count) {
            return new Finished(model, finishReason, usage, count, providerName);
        }
    }
}
