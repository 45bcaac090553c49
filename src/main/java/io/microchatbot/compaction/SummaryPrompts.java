package io.microchatbot.compaction;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.TokenCounter;

/**
 * Asks a model for a summary: the instructions, then the previous summary and the messages after it as one
 * transcript. What does not fit the model's window is left out from the oldest end, and the summary then covers only
 * what it was shown.
 */
@ApplicationScoped
class SummaryPrompts {

    static final String INSTRUCTIONS = """
            You condense the earlier part of a conversation between a user and an assistant so that the assistant can \
            go on without it. Write a concise summary that keeps every fact, name, number, decision, commitment, \
            open question and preference of the user that a later reply may need. Write in the language of the \
            conversation, in the third person, with no preamble.""";
    /** The framing of the request's two messages and the reply, and a margin for tokenizers that count higher. */
    private static final int MARGIN = 64;

    private final TokenCounter tokens;
    private final int window;

    SummaryPrompts(TokenCounter tokens, LlmConfig llm) {
        this.tokens = tokens;
        this.window = llm.contextWindow();
    }

    /** A summary request and the messages its answer will stand for. */
    record Draft(LlmRequest request, UUID coversFrom, int coversCount) {
    }

    /**
     * @param newestFirst the messages after the previous summary up to the newest to cover, newest first
     * @param complete whether they are all of them (the read was not cut at its limit)
     * @return null when not even the newest one fits
     */
    Draft draft(CompactionNeed need, List<Message> newestFirst, boolean complete, String model) {
        int left = window - need.summaryMaxTokens() - tokens.count(INSTRUCTIONS) - MARGIN;
        List<String> lines = new ArrayList<>(newestFirst.size());
        int covered = 0;
        for (Message message : newestFirst) {
            String line = line(message);
            int cost = line == null ? 0 : tokens.count(line) + 1;
            if (cost > left) {
                break;
            }
            left -= cost;
            covered++;
            if (line != null) {
                lines.add(line);
            }
        }
        if (lines.isEmpty()) {
            return null;
        }
        Message previous = need.previous();
        boolean folded = previous != null && covered == newestFirst.size() && complete
                && tokens.count(previous.content) + 16 <= left;
        StringBuilder text = new StringBuilder();
        if (folded) {
            text.append("The summary so far:\n").append(previous.content).append("\n\nWhat was said after it:\n");
        } else {
            text.append("The conversation:\n");
        }
        lines.reversed().forEach(line -> text.append(line).append('\n'));
        LlmRequest request = new LlmRequest(model,
                List.of(new ChatMessage("system", INSTRUCTIONS), new ChatMessage("user", text.toString())),
                need.summaryMaxTokens(), 0.2);
        UUID from = folded ? previous.coversFromId : newestFirst.get(covered - 1).id;
        return new Draft(request, from, covered + (folded ? previous.coversCount : 0));
    }

    /** A message as a transcript line; null for one that said nothing usable (a failed reply). */
    private static String line(Message message) {
        if (message.status == MessageStatus.failed || message.status == MessageStatus.invalid) {
            return null;
        }
        return switch (message.messageType) {
            case user -> "User: " + message.content;
            case system -> "System: " + message.content;
            case tool -> "Tool result (" + message.toolCallId + "): " + message.content;
            case assistant -> message.toolCalls == null ? "Assistant: " + message.content
                    : "Assistant: " + message.content + " [called tools: " + message.toolCalls + "]";
        };
    }
}
