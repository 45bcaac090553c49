package io.microchatbot.grpc;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.microchatbot.grpc.v1.ResponseFormat;
import io.microchatbot.grpc.v1.ToolChoice;
import io.microchatbot.grpc.v1.ToolDefinition;
import io.microchatbot.grpc.v1.ToolResult;

/**
 * A turn's tool results, tools, tool choice and response format as the JSON members of REST's body, in OpenAI's
 * shape, so that {@code validation.TurnRequests} and {@code generation.ToolsReader} read and check them as they
 * read REST's, naming the same fields. Empty proto strings are left out, to be refused as missing where required.
 */
@ApplicationScoped
class ToolInputsJson {

    private final ObjectMapper json;
    private final StructJson structs;

    ToolInputsJson(ObjectMapper json, StructJson structs) {
        this.json = json;
        this.structs = structs;
    }

    /** {@code [{"tool_call_id", "content"}…]}, or null (absent) for none. */
    JsonNode toolResults(List<ToolResult> results) {
        if (results.isEmpty()) {
            return null;
        }
        ArrayNode array = json.createArrayNode();
        for (ToolResult result : results) {
            ObjectNode item = array.addObject();
            putText(item, "tool_call_id", result.getToolCallId());
            item.put("content", result.getContent());
        }
        return array;
    }

    /** {@code [{"type": "function", "function": {"name", "description"?, "parameters"?, "strict"?}}…]}, or null. */
    JsonNode tools(List<ToolDefinition> tools) {
        if (tools.isEmpty()) {
            return null;
        }
        ArrayNode array = json.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            ToolDefinition tool = tools.get(i);
            ObjectNode function = array.addObject().put("type", "function").putObject("function");
            putText(function, "name", tool.getName());
            if (tool.hasDescription()) {
                function.put("description", tool.getDescription());
            }
            if (tool.hasParameters()) {
                function.set("parameters", structs.object(tool.getParameters(),
                        "tools[" + i + "].function.parameters"));
            }
            if (tool.hasStrict()) {
                function.put("strict", tool.getStrict());
            }
        }
        return array;
    }

    /** {@code "none" | "auto" | "required"} or {@code {"type": "function", "function": {"name"}}}; null if unset. */
    JsonNode toolChoice(ToolChoice choice) {
        return switch (choice.getChoiceCase()) {
            case MODE -> TextNode.valueOf(choice.getMode());
            case FUNCTION -> {
                ObjectNode named = json.createObjectNode().put("type", "function");
                putText(named.putObject("function"), "name", choice.getFunction());
                yield named;
            }
            case CHOICE_NOT_SET -> null;
        };
    }

    /**
     * {@code {"type": "text" | "json_object"}} or {@code {"type": "json_schema", "json_schema": {"name", "schema",
     * "strict"?}}}; null for RESPONSE_FORMAT_TYPE_UNSPECIFIED (the default, as if unset). A type this service does
     * not know is passed on as its number, to be refused by name.
     */
    JsonNode responseFormat(ResponseFormat format) {
        ObjectNode node = json.createObjectNode();
        switch (format.getType()) {
            case RESPONSE_FORMAT_TYPE_UNSPECIFIED -> {
                return null;
            }
            case RESPONSE_FORMAT_TYPE_TEXT -> node.put("type", "text");
            case RESPONSE_FORMAT_TYPE_JSON_OBJECT -> node.put("type", "json_object");
            case RESPONSE_FORMAT_TYPE_JSON_SCHEMA -> {
                ObjectNode schema = node.put("type", "json_schema").putObject("json_schema");
                putText(schema, "name", format.getName());
                if (format.hasSchema()) {
                    schema.set("schema", structs.object(format.getSchema(), "response_format.json_schema.schema"));
                }
                if (format.hasStrict()) {
                    schema.put("strict", format.getStrict());
                }
            }
            case UNRECOGNIZED -> node.put("type", Integer.toString(format.getTypeValue()));
        }
        return node;
    }

    private static void putText(ObjectNode node, String name, String value) {
        if (!value.isEmpty()) {
            node.put(name, value);
        }
    }
}
