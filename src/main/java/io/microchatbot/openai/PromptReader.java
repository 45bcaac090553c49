package io.microchatbot.openai;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.generation.ToolsReader;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.validation.FieldErrors;

/**
 * The {@code messages} of a chat completion request as prompt entries. Roles are OpenAI's; {@code developer} is sent
 * as {@code system}, which every OpenAI-compatible provider knows. Content is a string or an array of text parts
 * (other parts, images and audio, are refused). A tool message must answer a call an earlier assistant message made.
 */
final class PromptReader {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    /** Parses arguments only to check they are JSON; plain, so that duplicate keys in them are the model's affair. */
    private static final ObjectMapper ARGUMENTS = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final FieldErrors errors;
    private final Set<String> callIds = new HashSet<>();

    PromptReader(FieldErrors errors) {
        this.errors = errors;
    }

    List<ChatMessage> read(JsonNode node) {
        if (FieldErrors.absent(node)) {
            errors.add("messages", "is required");
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            errors.add("messages", "must be a non-empty array");
            return List.of();
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            ChatMessage message = message(node.get(i), "messages[" + i + "]");
            if (message != null) {
                messages.add(message);
            }
        }
        return messages;
    }

    private ChatMessage message(JsonNode node, String at) {
        if (!node.isObject()) {
            errors.add(at, "must be an object");
            return null;
        }
        String role = errors.requiredText(node.get("role"), at + ".role");
        if (role != null && !ROLES.contains(role)) {
            errors.add(at + ".role", "must be one of system, developer, user, assistant, tool");
            return null;
        }
        if (role == null) {
            return null;
        }
        List<ToolCall> calls = "assistant".equals(role) ? toolCalls(node.get("tool_calls"), at + ".tool_calls")
                : refused(node, "tool_calls", at, "only assistant messages make tool calls");
        String content = content(node.get("content"), at + ".content", !"assistant".equals(role) || calls.isEmpty());
        String toolCallId = "tool".equals(role) ? answeredCall(node.get("tool_call_id"), at + ".tool_call_id") : null;
        if (!"tool".equals(role)) {
            refused(node, "tool_call_id", at, "only tool messages answer a tool call");
        }
        return new ChatMessage("developer".equals(role) ? "system" : role, content == null ? "" : content, calls,
                toolCallId);
    }

    private List<ToolCall> refused(JsonNode message, String member, String at, String why) {
        if (!FieldErrors.absent(message.get(member))) {
            errors.add(at + "." + member, why);
        }
        return List.of();
    }

    /** A string, or text parts joined; required unless an assistant message carries tool calls instead. */
    private String content(JsonNode node, String field, boolean required) {
        if (FieldErrors.absent(node)) {
            if (required) {
                errors.add(field, "is required");
            }
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (!node.isArray()) {
            errors.add(field, "must be a string or an array of text parts");
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode part = errors.object(node.get(i), at);
            if (part == null) {
                continue;
            }
            String type = errors.requiredText(part.get("type"), at + ".type");
            if (type != null && !"text".equals(type)) {
                errors.add(at + ".type", "only text parts are supported");
                continue;
            }
            String partText = errors.text(part.get("text"), at + ".text");
            if (partText == null && FieldErrors.absent(part.get("text"))) {
                errors.add(at + ".text", "is required");
            }
            if (partText != null) {
                text.append(partText);
            }
        }
        return text.toString();
    }

    private List<ToolCall> toolCalls(JsonNode node, String field) {
        JsonNode calls = errors.array(node, field);
        if (calls == null) {
            return List.of();
        }
        List<ToolCall> whole = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode call = errors.object(calls.get(i), at);
            if (call == null) {
                continue;
            }
            String id = errors.requiredText(call.get("id"), at + ".id");
            String type = errors.text(call.get("type"), at + ".type");
            if (type != null && !"function".equals(type)) {
                errors.add(at + ".type", "must be function");
            }
            JsonNode function = errors.object(call.get("function"), at + ".function");
            if (function == null) {
                if (FieldErrors.absent(call.get("function"))) {
                    errors.add(at + ".function", "is required");
                }
                continue;
            }
            String name = errors.matching(function.get("name"), at + ".function.name", ToolsReader.NAME,
                    ToolsReader.NAME_RULE, true);
            String arguments = errors.text(function.get("arguments"), at + ".function.arguments");
            if (arguments == null && FieldErrors.absent(function.get("arguments"))) {
                errors.add(at + ".function.arguments", "is required");
            } else if (arguments != null && !isJson(arguments)) {
                errors.add(at + ".function.arguments", "must be JSON text");
                arguments = null;
            }
            if (id != null && name != null && arguments != null) {
                callIds.add(id);
                whole.add(new ToolCall(id, name, arguments));
            }
        }
        return whole;
    }

    private String answeredCall(JsonNode node, String field) {
        String id = errors.requiredText(node, field);
        if (id != null && !callIds.contains(id)) {
            errors.add(field, "answers no tool call of an earlier assistant message");
            return null;
        }
        return id;
    }

    private static boolean isJson(String text) {
        try {
            ARGUMENTS.readTree(text);
            return !text.isBlank();
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
