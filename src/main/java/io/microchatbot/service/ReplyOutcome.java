package io.microchatbot.service;

import java.util.List;

import io.microchatbot.MessageStatus;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.problem.ApiException;

/**
 * How a reply ended, as it is to be stored. {@code error} is null for a complete reply; {@code attempts} is the
 * number of provider calls it took (0 when unknown); {@code latencyMs} is null when the call was never timed.
 * {@code toolCalls} are the calls a complete reply asks for; {@code partialToolCalls} what a stream cut short had
 * sent of them, kept for the record only (in the metadata), never as calls a caller could run.
 */
public record ReplyOutcome(
        MessageStatus status,
        String content,
        String model,
        String provider,
        String finishReason,
        LlmUsage usage,
        int attempts,
        Long latencyMs,
        Long timeToFirstTokenMs,
        ApiException error,
        List<ToolCall> toolCalls,
        List<ToolCall> partialToolCalls) {

    public ReplyOutcome {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        partialToolCalls = partialToolCalls == null ? List.of() : List.copyOf(partialToolCalls);
    }

    public ReplyOutcome(MessageStatus status, String content, String model, String provider, String finishReason,
            LlmUsage usage, int attempts, Long latencyMs, Long timeToFirstTokenMs, ApiException error) {
        this(status, content, model, provider, finishReason, usage, attempts, latencyMs, timeToFirstTokenMs, error,
                List.of(), List.of());
    }

    /**
     * The same outcome judged otherwise: a reply that came whole but not in the shape asked for. Its tool calls are
     * kept for the record only ({@code partial_tool_calls}): nothing waits for their results, so they must not look
     * runnable.
     */
    public ReplyOutcome invalid(ApiException why) {
        List<ToolCall> recorded = new java.util.ArrayList<>(partialToolCalls);
        recorded.addAll(toolCalls);
        return new ReplyOutcome(MessageStatus.invalid, content, model, provider, finishReason, usage, attempts,
                latencyMs, timeToFirstTokenMs, why, List.of(), recorded);
    }
}
