package io.microchatbot.service;

import java.time.Instant;
import java.util.List;

import io.microchatbot.Message;
import io.microchatbot.llm.ChatMessage;

/**
 * What the first transaction of a turn leaves for the rest of it: the stored user message, the prompt, the lease,
 * the conversation's message count with the user message, and whether the context cache still has to be given the
 * user message (it held the state before it; the append goes with the reply's, in one round trip).
 */
public record TurnStart(Message userMessage, String model, List<ChatMessage> prompt, Instant lease,
        long messageCount, boolean userMessageToCache) {
}
