package io.microchatbot.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.microchatbot.tools.ToolCalls;

/**
 * The tool calls a conversation waits on: those of its newest reply that asked for tools, minus the ones tool
 * messages after it already answered. A turn must answer exactly these (all of them, each once) before the model is
 * called again; providers refuse a prompt with an unanswered call, so the service refuses it first, with nothing
 * stored.
 */
final class PendingToolCalls {

    private PendingToolCalls() {
    }

    /** The calls still waiting for a result, in the order the model made them; empty when none are. */
    static List<ToolCall> in(List<Message> newestFirst) {
        Set<String> answered = new HashSet<>();
        for (Message message : newestFirst) {
            if (message.messageType == MessageType.tool) {
                answered.add(message.toolCallId);
                continue;
            }
            if (message.messageType != MessageType.assistant || message.status != MessageStatus.complete) {
                return List.of();
            }
            List<ToolCall> waiting = new ArrayList<>();
            ToolCalls.fromJson(message.toolCalls).stream()
                    .filter(call -> !answered.contains(call.id()))
                    .forEach(waiting::add);
            return waiting;
        }
        return List.of();
    }

    /** Refuses an input that does not answer exactly the pending calls. */
    static void ensureAnswered(List<ToolCall> pending, UserInput input) {
        Set<String> waiting = new LinkedHashSet<>();
        pending.forEach(call -> waiting.add(call.id()));
        if (!input.answersToolCalls()) {
            if (!waiting.isEmpty()) {
                throw missing(waiting, "The last reply asked for tool calls; send their results in tool_results"
                        + " before a new message");
            }
            return;
        }
        List<FieldError> unknown = new ArrayList<>();
        Set<String> given = new HashSet<>();
        for (int i = 0; i < input.toolResults().size(); i++) {
            String id = input.toolResults().get(i).toolCallId();
            if (!given.add(id)) {
                unknown.add(new FieldError("tool_results[" + i + "].tool_call_id", "answers tool call " + id
                        + " a second time"));
            } else if (!waiting.contains(id)) {
                unknown.add(new FieldError("tool_results[" + i + "].tool_call_id", waiting.isEmpty()
                        ? "no tool call is waiting for a result"
                        : "is not one of the calls waiting for a result: " + String.join(", ", waiting)));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(ErrorCode.unknown_tool_call, "A tool result answers no call waiting for one", null,
                    unknown);
        }
        waiting.removeAll(given);
        if (!waiting.isEmpty()) {
            throw missing(waiting, "Every tool call of the last reply needs a result in the same request");
        }
    }

    private static ApiException missing(Set<String> ids, String detail) {
        return new ApiException(ErrorCode.tool_results_missing, detail + "; waiting: " + String.join(", ", ids), null,
                List.of(new FieldError("tool_results", "missing results for " + String.join(", ", ids))));
    }
}
