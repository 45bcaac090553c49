package io.microchatbot.api;

import java.util.List;

import io.microchatbot.llm.ToolCall;
import io.microchatbot.tools.ToolCalls;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A tool call as the API shows it, in OpenAI's shape, so that a caller's tool dispatch reads both alike. */
@RegisterForReflection(targets = { ToolCallView.class, ToolCallView.Function.class })
public record ToolCallView(String id, String type, Function function) {

    public record Function(String name, String arguments) {
    }

    public static ToolCallView of(ToolCall call) {
        return new ToolCallView(call.id(), "function", new Function(call.name(), call.arguments()));
    }

    /** The stored calls of a message, null when it has none (the member is then left out). */
    public static List<ToolCallView> of(String stored) {
        return stored == null ? null : ToolCalls.fromJson(stored).stream().map(ToolCallView::of).toList();
    }
}
