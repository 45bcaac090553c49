package io.microchatbot.service;

import java.time.Instant;
import java.util.List;

import io.microchatbot.Message;
import io.microchatbot.llm.ChatMessage;

/** What the first transaction of a turn leaves for the rest of it: the stored user message, the prompt, the lease. */
public record TurnStart(Message userMessage, String model, List<ChatMessage> prompt, Instant lease) {
}
