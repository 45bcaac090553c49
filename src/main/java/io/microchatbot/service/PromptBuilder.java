package io.microchatbot.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.generation.GenerationJson;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.llm.Tool;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.tools.ToolCalls;

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

    /** Tokens left for the history once the system prompt, the tool definitions and the reply are reserved. */
    int historyBudget(Conversation conversation, GenerationOptions options) {
        int system = conversation.systemPrompt == null ? 0 : tokens.countMessage(tokens.count(conversation.systemPrompt));
        return config.contextWindow() - config.maxTokens() - tokens.countPrompt(List.of()) - system
                - toolTokens(options);
    }

    int historyBudget(Conversation conversation) {
        return historyBudget(conversation, GenerationOptions.NONE);
    }

    /** Refuses, before anything is stored, an input that could never fit the window. */
    void ensureFits(Conversation conversation, int contentTokens, GenerationOptions options) {
        int budget = historyBudget(conversation, options);
        if (tokens.countMessage(contentTokens) > budget) {
            throw new ApiException(ErrorCode.context_window_exceeded, "The message takes " + contentTokens
                    + " tokens; with this conversation's system prompt, its tools and the reply reserve at most "
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
     * @param inputs the turn's new messages, in order (a user message, or tool results)
     * @param history earlier messages, newest first
     */
    List<ChatMessage> build(Conversation conversation, List<Message> inputs, List<Message> history,
            GenerationOptions options) {
        int left = historyBudget(conversation, options);
        List<ChatMessage> newestFirst = new ArrayList<>();
        for (Message input : inputs.reversed()) {
            left -= tokens.countMessage(input.contentTokens);
            newestFirst.add(entry(input));
        }
        for (Message message : history) {
            if (!usable(message)) {
                continue;
            }
            int cost = tokens.countMessage(message.contentTokens);
            if (cost > left) {
                break;
            }
            left -= cost;
            newestFirst.add(entry(message));
        }
        dropAnswersWithoutTheirCall(newestFirst, inputs.size());
        if (conversation.systemPrompt != null && !conversation.systemPrompt.isBlank()) {
            newestFirst.add(new ChatMessage("system", conversation.systemPrompt));
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /**
     * Where the window cut between a reply that asked for tools and its results, the oldest entries kept are tool
     * results whose call is gone: providers refuse those, so they go too (never the turn's own inputs).
     */
    private static void dropAnswersWithoutTheirCall(List<ChatMessage> newestFirst, int inputs) {
        while (newestFirst.size() > inputs && "tool".equals(newestFirst.get(newestFirst.size() - 1).role())) {
            newestFirst.remove(newestFirst.size() - 1);
        }
    }

    private static ChatMessage entry(Message message) {
        return new ChatMessage(message.messageType.name(), message.content, ToolCalls.fromJson(message.toolCalls),
                message.toolCallId);
    }

    private int toolTokens(GenerationOptions options) {
        if (options == null || options.toolList().isEmpty()) {
            return 0;
        }
        int total = 0;
        for (Tool tool : options.toolList()) {
            total += tokens.count(GenerationJson.tool(tool).toString());
        }
        return total;
    }

    /**
     * Failed and invalid replies are not context (nothing, or nothing usable, was said); partial replies are kept,
     * since the user saw them. A reply that asked for tools has no text but is context all the same.
     */
    private static boolean usable(Message message) {
        if (message.messageType == MessageType.tool) {
            return true; // even empty: a call without its result is a prompt providers refuse
        }
        return message.status != MessageStatus.failed && message.status != MessageStatus.invalid
                && (!message.content.isEmpty() || message.toolCalls != null)
                && message.messageType != MessageType.system;
    }
}
