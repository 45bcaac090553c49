package io.microchatbot.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.compaction.CompactionConfig;
import io.microchatbot.compaction.CompactionMetrics;
import io.microchatbot.compaction.CompactionNeed;
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
 * Builds the prompt of a turn: the system prompt, the conversation's summary of its earlier messages when it has
 * one, then as many of the most recent messages as fit the model's context window after reserving
 * {@code max_tokens} for the reply. Older messages are left out whole, never cut; when the history grows past the
 * compaction threshold the turn asks for a summary of them ({@link io.microchatbot.compaction.Compactor}).
 */
@ApplicationScoped
public class PromptBuilder {

    /** A system prompt must leave room for at least a short message. */
    static final int MIN_MESSAGE_ROOM = 64;
    /** How a summary is introduced to the model, in front of its text. */
    static final String SUMMARY_PREFIX = "Summary of the earlier part of this conversation:\n";
    private static final int MIN_SUMMARY_TOKENS = 16;

    private final TokenCounter tokens;
    private final LlmConfig config;
    private final CompactionConfig compaction;
    private final CompactionMetrics metrics;
    private final int prefixTokens;

    PromptBuilder(TokenCounter tokens, LlmConfig config, CompactionConfig compaction, CompactionMetrics metrics) {
        this.tokens = tokens;
        this.config = config;
        this.compaction = compaction;
        this.metrics = metrics;
        this.prefixTokens = tokens.count(SUMMARY_PREFIX);
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
     * The prompt: the system prompt, the conversation's newest summary, then the newest messages after the range it
     * covers that fit, oldest first; and the summary the history needs (null: none), when what it holds since its
     * summary takes more than the compaction threshold of the budget. A prompt that had to leave messages out that
     * no summary stands for is counted as trimmed.
     *
     * @param inputs the turn's new messages, in order (a user message, or tool results)
     * @param history earlier messages, newest first
     */
    Prompt build(Conversation conversation, List<Message> inputs, List<Message> history, GenerationOptions options) {
        int budget = historyBudget(conversation, options);
        int left = budget;
        List<ChatMessage> newestFirst = new ArrayList<>();
        for (Message input : inputs.reversed()) {
            left -= tokens.countMessage(input.contentTokens);
            newestFirst.add(entry(input));
        }
        Message summary = history.stream().filter(Message::isSummary).findFirst().orElse(null);
        boolean withSummary = summary != null && summaryCost(summary) <= left;
        if (withSummary) {
            left -= summaryCost(summary);
        }
        boolean full = false;
        // What the history asks of the budget (everything since its summary) and where a summary would start.
        int demand = budget - left;
        int newestToCover = -1;
        for (int i = 0; i < history.size(); i++) {
            Message message = history.get(i);
            if (summary != null && !message.createdAt.isAfter(summary.coversUntil)) {
                break;
            }
            if (message.isSummary() || !usable(message)) {
                continue;
            }
            int cost = tokens.countMessage(message.contentTokens);
            demand += cost;
            if (newestToCover < 0 && demand > budget * compaction.keep()) {
                newestToCover = i;
            }
            if (cost > left) {
                // Past the budget, so past the threshold too, and where a summary would start is known: done.
                full = true;
                break;
            }
            left -= cost;
            newestFirst.add(entry(message));
        }
        dropAnswersWithoutTheirCall(newestFirst, inputs.size());
        if (withSummary) {
            newestFirst.add(new ChatMessage("system", SUMMARY_PREFIX + summary.content));
        }
        if (conversation.systemPrompt != null && !conversation.systemPrompt.isBlank()) {
            newestFirst.add(new ChatMessage("system", conversation.systemPrompt));
        }
        Collections.reverse(newestFirst);
        if (full || summary != null && !withSummary) {
            metrics.trimmed();
        }
        boolean tooLong = compaction.enabled() && newestToCover >= 0 && demand > budget * compaction.threshold();
        return new Prompt(newestFirst, tooLong ? need(conversation, history, newestToCover, summary, budget) : null);
    }

    /** A turn's prompt, and the summary its history needs (null: none). */
    record Prompt(List<ChatMessage> messages, CompactionNeed compaction) {
    }

    /**
     * The summary to write: up to the message at {@code newestToCover}, and the tool results just after it, which
     * would be left without their call in a later prompt; no longer than what lies between keep and threshold.
     */
    private CompactionNeed need(Conversation conversation, List<Message> history, int newestToCover, Message summary,
            int budget) {
        int newest = newestToCover;
        while (newest > 0 && history.get(newest - 1).messageType == MessageType.tool) {
            newest--;
        }
        int room = (int) (budget * (compaction.threshold() - compaction.keep()));
        return new CompactionNeed(conversation.id, conversation.tenantId, conversation.userId, history.get(newest),
                summary, Math.max(MIN_SUMMARY_TOKENS, Math.min(compaction.maxTokens(), room)));
    }

    private int summaryCost(Message summary) {
        return tokens.countMessage(summary.contentTokens + prefixTokens);
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
