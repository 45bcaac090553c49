package io.microchatbot.service;

import io.microchatbot.MessageStatus;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.problem.ApiException;

/**
 * How a reply ended, as it is to be stored. {@code error} is null for a complete reply; {@code attempts} is the
 * number of provider calls it took (0 when unknown); {@code latencyMs} is null when the call was never timed.
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
        ApiException error) {
}
