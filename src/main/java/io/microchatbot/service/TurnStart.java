package io.microchatbot.service;

import java.time.Instant;
import java.util.List;

import io.microchatbot.Message;
import io.microchatbot.compaction.CompactionNeed;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.generation.Parameters;
import io.microchatbot.llm.ChatMessage;

/**
 * What the first transaction of a turn leaves for the rest of it: the stored input messages (one user message, or
 * the tool results), the prompt and how to generate the reply, the lease, the conversation's message count with
 * the inputs, and whether the context cache still has to be given the inputs (it held the state before them; the
 * appends go with the reply's, in one round trip), the API key the turn is charged to (null: none), and the summary
 * its history needs, written once the reply is stored (null: none).
 */
public record TurnStart(List<Message> inputs, String model, List<ChatMessage> prompt, GenerationOptions options,
        Parameters parameters, Instant lease, long messageCount, boolean userMessageToCache, String apiKeyId,
        CompactionNeed compaction) {

    /** The message the reply answers: the last input. */
    public Message userMessage() {
        return inputs.get(inputs.size() - 1);
    }
}
