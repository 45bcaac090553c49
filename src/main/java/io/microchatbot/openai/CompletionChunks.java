package io.microchatbot.openai;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmUsage;

/**
 * One streamed answer as OpenAI sends it: server-sent events whose data is a {@code chat.completion.chunk}. The
 * first carries the role, then content and tool-call deltas (a call's first delta names it with its id, type and
 * function name, later ones add argument text by index), then a chunk with the finish reason, then, when asked for,
 * a chunk with no choices and the usage, then {@code [DONE]}. Not thread-safe: one stream feeds it, in order.
 */
final class CompletionChunks {

    static final String DONE = "data: [DONE]\n\n";

    private final ObjectMapper json;
    private final CompletionIdentity identity;
    private final String model;
    private final boolean includeUsage;
    private final Set<Integer> namedCalls = new HashSet<>();
    private boolean started;

    CompletionChunks(ObjectMapper json, CompletionIdentity identity, String model, boolean includeUsage) {
        this.json = json;
        this.identity = identity;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    /** The events of one chunk from the provider; the first also opens the answer with the role. */
    List<String> events(LlmChunk chunk) {
        List<String> events = new ArrayList<>(2);
        if (!started) {
            started = true;
            ObjectNode delta = json.createObjectNode().put("role", "assistant").put("content", "");
            delta.putNull("refusal");
            events.add(event(choice(model, delta, null)));
        }
        switch (chunk) {
            case LlmChunk.Delta text -> events.add(event(choice(model, json.createObjectNode()
                    .put("content", text.content()), null)));
            case LlmChunk.ToolCallDelta call -> events.add(event(choice(model, toolCall(call), null)));
            case LlmChunk.Finished finished -> {
                String answered = finished.model() != null ? finished.model() : model;
                events.add(event(choice(answered, json.createObjectNode(), finished.finishReason())));
            }
        }
        return events;
    }

    /** After the finish: the usage chunk when the caller asked for it, then the end marker. */
    List<String> closing(String answeredModel, LlmUsage usage) {
        if (!includeUsage) {
            return List.of(DONE);
        }
        ObjectNode chunk = chunk(answeredModel);
        chunk.putArray("choices");
        chunk.set("usage", ChatCompletionObject.usage(json, usage));
        return List.of(event(chunk), DONE);
    }

    private ObjectNode toolCall(LlmChunk.ToolCallDelta call) {
        ObjectNode fragment = json.createObjectNode().put("index", call.index());
        boolean first = namedCalls.add(call.index());
        if (call.id() != null && !call.id().isEmpty()) {
            fragment.put("id", call.id()).put("type", "function");
        }
        ObjectNode function = fragment.putObject("function");
        if (call.name() != null && !call.name().isEmpty()) {
            function.put("name", call.name());
        }
        if (call.arguments() != null || first) {
            function.put("arguments", call.arguments() == null ? "" : call.arguments());
        }
        ObjectNode delta = json.createObjectNode();
        delta.putArray("tool_calls").add(fragment);
        return delta;
    }

    private ObjectNode choice(String chunkModel, ObjectNode delta, String finishReason) {
        ObjectNode choice = json.createObjectNode().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        ObjectNode chunk = chunk(chunkModel);
        chunk.putArray("choices").add(choice);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode chunk(String chunkModel) {
        return json.createObjectNode()
                .put("id", identity.id())
                .put("object", "chat.completion.chunk")
                .put("created", identity.created())
                .put("model", chunkModel);
    }

    private String event(ObjectNode data) {
        try {
            return "data: " + json.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a completion chunk", e);
        }
    }
}
