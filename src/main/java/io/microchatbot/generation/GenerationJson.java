package io.microchatbot.generation;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.Tool;
import io.microchatbot.llm.ToolChoice;

/**
 * {@link GenerationOptions} in the API's own JSON shape (OpenAI's: {@code tools[].function}, {@code tool_choice},
 * {@code response_format.json_schema}), which is also how a conversation stores them. Reading assumes JSON the API
 * validated on the way in.
 */
public final class GenerationJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerationJson() {
    }

    /** The stored form, null when there is nothing to store. */
    public static String toJson(GenerationOptions options) {
        if (options == null || options.isEmpty()) {
            return null;
        }
        return toNode(options).toString();
    }

    public static GenerationOptions fromJson(String stored) {
        if (stored == null || stored.isEmpty()) {
            return GenerationOptions.NONE;
        }
        try {
            JsonNode node = JSON.readTree(stored);
            return new GenerationOptions(tools(node.get("tools")), toolChoice(node.get("tool_choice")),
                    responseFormat(node.get("response_format")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored generation options are not JSON", e);
        }
    }

    public static ObjectNode toNode(GenerationOptions options) {
        ObjectNode node = JSON.createObjectNode();
        if (options.tools() != null) {
            ArrayNode tools = node.putArray("tools");
            options.tools().forEach(tool -> tools.add(tool(tool)));
        }
        if (options.toolChoice() != null) {
            node.set("tool_choice", toolChoice(options.toolChoice()));
        }
        if (options.responseFormat() != null) {
            node.set("response_format", responseFormat(options.responseFormat()));
        }
        return node;
    }

    public static ObjectNode tool(Tool tool) {
        ObjectNode function = JSON.createObjectNode().put("name", tool.name());
        if (tool.description() != null) {
            function.put("description", tool.description());
        }
        if (tool.parameters() != null) {
            function.set("parameters", tool.parameters());
        }
        if (tool.strict() != null) {
            function.put("strict", tool.strict());
        }
        ObjectNode node = JSON.createObjectNode().put("type", "function");
        node.set("function", function);
        return node;
    }

    public static JsonNode toolChoice(ToolChoice choice) {
        if (!ToolChoice.FUNCTION.equals(choice.mode())) {
            return JSON.getNodeFactory().textNode(choice.mode());
        }
        ObjectNode node = JSON.createObjectNode().put("type", "function");
        node.putObject("function").put("name", choice.name());
        return node;
    }

    public static ObjectNode responseFormat(ResponseFormat format) {
        ObjectNode node = JSON.createObjectNode().put("type", format.type());
        if (ResponseFormat.JSON_SCHEMA.equals(format.type())) {
            ObjectNode schema = node.putObject("json_schema").put("name", format.name());
            schema.set("schema", format.schema());
            if (format.strict() != null) {
                schema.put("strict", format.strict());
            }
        }
        return node;
    }

    public static List<Tool> tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<Tool> tools = new ArrayList<>(node.size());
        for (JsonNode tool : node) {
            JsonNode function = tool.path("function");
            tools.add(new Tool(function.path("name").asText(null), text(function.get("description")),
                    nullIfAbsent(function.get("parameters")), bool(function.get("strict"))));
        }
        return tools;
    }

    public static ToolChoice toolChoice(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return ToolChoice.of(node.asText());
        }
        return ToolChoice.function(node.path("function").path("name").asText(null));
    }

    public static ResponseFormat responseFormat(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode schema = node.path("json_schema");
        return new ResponseFormat(node.path("type").asText(null), text(schema.get("name")),
                nullIfAbsent(schema.get("schema")), bool(schema.get("strict")));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Boolean bool(JsonNode node) {
        return node == null || node.isNull() ? null : node.asBoolean();
    }

    private static JsonNode nullIfAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }
}
