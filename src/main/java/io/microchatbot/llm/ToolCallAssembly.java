package io.microchatbot.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Joins the {@link LlmChunk.ToolCallDelta}s of one streamed reply into whole {@link ToolCall}s, by index. Not
 * thread-safe: one stream feeds it, in order.
 */
public final class ToolCallAssembly {

    private final TreeMap<Integer, Builder> calls = new TreeMap<>();

    public void add(LlmChunk.ToolCallDelta delta) {
        Builder call = calls.computeIfAbsent(delta.index(), index -> new Builder());
        if (delta.id() != null && !delta.id().isEmpty()) {
            call.id = delta.id();
        }
        if (delta.name() != null && !delta.name().isEmpty()) {
            call.name = delta.name();
        }
        if (delta.arguments() != null) {
            call.arguments.append(delta.arguments());
        }
    }

    public boolean isEmpty() {
        return calls.isEmpty();
    }

    /** The calls as far as they came, in index order. */
    public List<ToolCall> calls() {
        List<ToolCall> whole = new ArrayList<>(calls.size());
        calls.values().forEach(call -> whole.add(new ToolCall(call.id, call.name, call.arguments.toString())));
        return whole;
    }

    private static final class Builder {
        private String id;
        private String name;
        private final StringBuilder arguments = new StringBuilder();
    }
}
