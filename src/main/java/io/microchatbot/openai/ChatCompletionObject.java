package io.microchatbot.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.ToolCall;

/**
 * A whole answer as OpenAI's {@code chat.completion} object: one choice, whose message has {@code content} null when
 * the model asks for tool calls instead, and the usage.
 */
final class ChatCompletionObject {

    private ChatCompletionObject() {
    }

    static ObjectNode of(ObjectMapper json, CompletionIdentity identity, LlmCompletion completion, LlmUsage usage) {
        ObjectNode message = json.createObjectNode().put("role", "assistant");
        boolean calls = !completion.toolCalls().isEmpty();
        if (calls && (completion.content() == null || completion.content().isEmpty())) {
            message.putNull("content");
        } else {
            message.put("content", completion.content() == null ? "" : completion.content());
        }
        if (calls) {
            ArrayNode toolCalls = message.putArray("tool_calls");
            completion.toolCalls().forEach(call -> toolCalls.add(toolCall(json, call)));
        }
        message.putNull("refusal");
        ObjectNode choice = json.createObjectNode().put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", completion.finishReason());
        ObjectNode answer = json.createObjectNode()
                .put("id", identity.id())
                .put("object", "chat.completion")
                .put("created", identity.created())
                .put("model", completion.model());
        answer.putArray("choices").add(choice);
        answer.set("usage", usage(json, usage));
        return answer;
    }

    static ObjectNode toolCall(ObjectMapper json, ToolCall call) {
        ObjectNode node = json.createObjectNode().put("id", call.id()).put("type", "function");
        node.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        return node;
    }

    static ObjectNode usage(ObjectMapper json, LlmUsage usage) {
        return json.createObjectNode()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.totalTokens());
    }
}
