package io.microchatbot.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

/**
 * Builds the prompt of a turn: the system prompt, then as many of the most recent messages as fit the model's
 * context window after reserving {@code max_tokens} for the reply. Older messages are dropped whole, never cut.
 */
@ApplicationScoped
public class PromptBuilder {

    /** A system prompt must leave room for at least a short message. */
    static final int MIN_MESSAGE_ROOM = 64;

    private final TokenCounter tokens;
    private final LlmConfig config;

    PromptBuilder(TokenCounter tokens, LlmConfig config) {
        this.tokens = tokens;
        this.config = config;
    }

    int count(String text) {
        return tokens.count(text);
    }

    /** Tokens left for the history once the system prompt and the reply are reserved. */
    int historyBudget(Conversation conversation) {
        int system = conversation.systemPrompt == null ? 0 : tokens.countMessage(tokens.count(conversation.systemPrompt));
        return config.contextWindow() - config.maxTokens() - tokens.countPrompt(List.of()) - system;
    }

    /** Refuses, before anything is stored, a message that could never fit the window. */
    void ensureFits(Conversation conversation, int contentTokens) {
        int budget = historyBudget(conversation);
        if (tokens.countMessage(contentTokens) > budget) {
            throw new ApiException(ErrorCode.context_window_exceeded, "The message takes " + contentTokens
                    + " tokens; with this conversation's system prompt and the reply reserve at most "
                    + Math.max(0, budget - tokens.countMessage(0)) + " fit");
        }
    }

    /** Refuses a system prompt that leaves no room for even a short message in the window. */
    void ensureSystemPromptFits(Conversation conversation) {
        int room = historyBudget(conversation) - tokens.countMessage(0);
        if (room < MIN_MESSAGE_ROOM) {
            throw new ApiException(ErrorCode.context_window_exceeded, "The system prompt leaves " + Math.max(0, room)
                    + " tokens of the model's context window for messages; at least " + MIN_MESSAGE_ROOM
                    + " are needed");
        }
    }

    /**
     * @param latest the new user message
     * @param history earlier messages, newest first
     */
    List<ChatMessage> build(Conversation conversation, Message latest, List<Message> history) {
        int left = historyBudget(conversation) - tokens.countMessage(latest.contentTokens);
        List<ChatMessage> newestFirst = new ArrayList<>();
        newestFirst.add(new ChatMessage("user", latest.content));
        for (Message message : history) {
            if (!usable(message)) {
                continue;
            }
            int cost = tokens.countMessage(message.contentTokens);
            if (cost > left) {
                break;
            }
            left -= cost;
            newestFirst.add(new ChatMessage(message.messageType.name(), message.content));
        }
        if (conversation.systemPrompt != null && !conversation.systemPrompt.isBlank()) {
            newestFirst.add(new ChatMessage("system", conversation.systemPrompt));
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** Failed replies hold no text; partial replies are kept, since the user saw them. */
    private static boolean usable(Message message) {
        return message.status != MessageStatus.failed && !message.content.isEmpty()
                && message.messageType != MessageType.system;
    }
}
