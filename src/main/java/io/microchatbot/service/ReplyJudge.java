package io.microchatbot.service;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.microchatbot.MessageStatus;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.structured.ReplyFormats;

/**
 * Judges a whole reply against what its turn asked for: tool-call arguments must be JSON objects, and a reply in
 * text must match the turn's {@code response_format}. A reply that does not is {@code invalid}, with the reason in
 * an {@code llm_invalid_output} error; callers parse replies, so a reply that only looks right is worse than none.
 */
@ApplicationScoped
class ReplyJudge {

    /** The ids a tool result may answer (validation.TurnRequests takes the same). */
    private static final Pattern CALL_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final ReplyFormats formats;
    private final int repairAttempts;

    ReplyJudge(ReplyFormats formats,
            @ConfigProperty(name = "chatbot.structured-output.repair-attempts", defaultValue = "0") int repairAttempts) {
        this.formats = formats;
        this.repairAttempts = repairAttempts;
    }

    /** How many times a JSON turn asks the model again for a reply that did not match its format. */
    int repairAttempts() {
        return repairAttempts;
    }

    ReplyOutcome judged(GenerationOptions options, ReplyOutcome outcome) {
        if (outcome.status() != MessageStatus.complete) {
            return outcome;
        }
        return violation(options, outcome)
                .map(why -> outcome.invalid(new ApiException(ErrorCode.llm_invalid_output, why)))
                .orElse(outcome);
    }

    private Optional<String> violation(GenerationOptions options, ReplyOutcome outcome) {
        for (ToolCall call : outcome.toolCalls()) {
            // A call no result could answer would leave the conversation waiting for it for ever.
            if (call.id() == null || !CALL_ID.matcher(call.id()).matches()) {
                return Optional.of("A tool call has no usable id (1-128 printable ASCII characters): " + call.id());
            }
            if (call.name() == null || options.toolList().stream().noneMatch(tool -> tool.name().equals(call.name()))) {
                return Optional.of("Tool call " + call.id() + " names no tool of this turn: " + call.name());
            }
            Optional<String> bad = formats.argumentsViolation(call.arguments());
            if (bad.isPresent()) {
                return Optional.of("The arguments of tool call " + call.id() + " (" + call.name()
                        + ") are not a JSON object: " + bad.get());
            }
        }
        ResponseFormat format = options.responseFormat();
        if (format == null || !format.wantsJson() || !outcome.toolCalls().isEmpty()) {
            // A reply that calls tools says nothing yet; the format applies to the text reply that follows.
            return Optional.empty();
        }
        return formats.violation(format, outcome.content())
                .map(why -> "The reply does not match the requested response_format (" + format.type() + "): " + why);
    }

    /** What asks the model to correct an invalid reply: its reply, then why it was refused. */
    List<ChatMessage> repairPrompt(LlmCompletion refused, ApiException why) {
        return List.of(new ChatMessage("assistant", refused.content(), refused.toolCalls(), null),
                new ChatMessage("user", why.getMessage() + ". Answer again with only the corrected reply."));
    }
}
