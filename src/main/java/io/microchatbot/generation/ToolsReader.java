package io.microchatbot.generation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.Tool;
import io.microchatbot.llm.ToolChoice;
import io.microchatbot.structured.ReplyFormats;
import io.microchatbot.validation.FieldErrors;

/**
 * {@code tools}, {@code tool_choice} and {@code response_format}, read and checked as OpenAI defines them, for
 * both doors: the conversation API's turns and conversations, and the OpenAI-compatible API. Schemas must be JSON
 * Schemas ({@link ReplyFormats}). Problems go to the {@link FieldErrors} given, named as on the wire.
 */
public final class ToolsReader {

    /** Names of functions and of JSON schemas. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    public static final String NAME_RULE = "must be 1-64 characters of letters, digits, _ and -";
    private static final int MAX_TOOLS = 128;
    private static final Set<String> CHOICES = Set.of("none", "auto", "required");
    private static final Set<String> FORMATS = Set.of(ResponseFormat.TEXT, ResponseFormat.JSON_OBJECT,
            ResponseFormat.JSON_SCHEMA);

    private final FieldErrors errors;
    private final ReplyFormats formats;

    public ToolsReader(FieldErrors errors, ReplyFormats formats) {
        this.errors = errors;
        this.formats = formats;
    }

    public List<Tool> tools(JsonNode node) {
        JsonNode tools = errors.array(node, "tools");
        if (tools == null) {
            return List.of();
        }
        if (tools.size() > MAX_TOOLS) {
            errors.add("tools", "must have at most " + MAX_TOOLS + " tools");
            return List.of();
        }
        List<Tool> read = new ArrayList<>(tools.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode tool = errors.object(tools.get(i), at);
            if (tool == null) {
                continue;
            }
            String type = errors.requiredText(tool.get("type"), at + ".type");
            if (type != null && !"function".equals(type)) {
                errors.add(at + ".type", "must be function");
            }
            JsonNode function = errors.object(tool.get("function"), at + ".function");
            if (function == null) {
                if (FieldErrors.absent(tool.get("function"))) {
                    errors.add(at + ".function", "is required");
                }
                continue;
            }
            String name = errors.matching(function.get("name"), at + ".function.name", NAME, NAME_RULE, true);
            if (name != null && !names.add(name)) {
                errors.add(at + ".function.name", "is the name of another tool too");
            }
            String description = errors.text(function.get("description"), at + ".function.description");
            JsonNode parameters = errors.object(function.get("parameters"), at + ".function.parameters");
            if (parameters != null) {
                formats.parametersProblems(at + ".function.parameters", parameters)
                        .forEach(problem -> errors.add(problem.field(), problem.message()));
            }
            Boolean strict = errors.bool(function.get("strict"), at + ".function.strict");
            if (name != null) {
                read.add(new Tool(name, description, parameters, strict));
            }
        }
        return read;
    }

    /** A mode, or the one function the model must call, which must be among {@code tools}. */
    public ToolChoice toolChoice(JsonNode node, List<Tool> tools) {
        return toolChoice(node, tools, true);
    }

    /**
     * As above; with {@code toolsKnown} false (a turn or patch that relies on the conversation's tools), a named
     * function and {@code required} are not checked against {@code tools}.
     */
    public ToolChoice toolChoice(JsonNode node, List<Tool> tools, boolean toolsKnown) {
        if (FieldErrors.absent(node)) {
            return null;
        }
        if (node.isTextual()) {
            if (!CHOICES.contains(node.textValue())) {
                errors.add("tool_choice", "must be none, auto, required or a function");
                return null;
            }
            if ("required".equals(node.textValue()) && toolsKnown && tools.isEmpty()) {
                errors.add("tool_choice", "requires tools");
            }
            return ToolChoice.of(node.textValue());
        }
        if (!node.isObject()) {
            errors.add("tool_choice", "must be none, auto, required or a function");
            return null;
        }
        String type = errors.requiredText(node.get("type"), "tool_choice.type");
        if (type != null && !"function".equals(type)) {
            errors.add("tool_choice.type", "must be function");
        }
        JsonNode function = errors.object(node.get("function"), "tool_choice.function");
        if (function == null) {
            if (FieldErrors.absent(node.get("function"))) {
                errors.add("tool_choice.function", "is required");
            }
            return null;
        }
        String name = errors.matching(function.get("name"), "tool_choice.function.name", NAME, NAME_RULE, true);
        if (name != null && toolsKnown && tools.stream().noneMatch(tool -> tool.name().equals(name))) {
            errors.add("tool_choice.function.name", "is not one of the tools");
            return null;
        }
        return name == null ? null : ToolChoice.function(name);
    }

    public ResponseFormat responseFormat(JsonNode node) {
        JsonNode format = errors.object(node, "response_format");
        if (format == null) {
            return null;
        }
        String type = errors.requiredText(format.get("type"), "response_format.type");
        if (type == null) {
            return null;
        }
        if (!FORMATS.contains(type)) {
            errors.add("response_format.type", "must be text, json_object or json_schema");
            return null;
        }
        if (!ResponseFormat.JSON_SCHEMA.equals(type)) {
            return new ResponseFormat(type, null, null, null);
        }
        JsonNode schema = errors.object(format.get("json_schema"), "response_format.json_schema");
        if (schema == null) {
            if (FieldErrors.absent(format.get("json_schema"))) {
                errors.add("response_format.json_schema", "is required with type json_schema");
            }
            return null;
        }
        String name = errors.matching(schema.get("name"), "response_format.json_schema.name", NAME, NAME_RULE,
                true);
        JsonNode body = errors.object(schema.get("schema"), "response_format.json_schema.schema");
        Boolean strict = errors.bool(schema.get("strict"), "response_format.json_schema.strict");
        if (name == null) {
            return null;
        }
        ResponseFormat read = new ResponseFormat(type, name, body, strict);
        // The schema is required and must be a JSON Schema: replies are checked against it (structured.ReplyFormats).
        formats.formatProblems("response_format", read)
                .forEach(problem -> errors.add(problem.field(), problem.message()));
        return read;
    }
}
