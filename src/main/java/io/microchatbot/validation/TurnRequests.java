package io.microchatbot.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.generation.ToolsReader;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.llm.Tool;
import io.microchatbot.llm.ToolChoice;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;
import io.microchatbot.service.LimitsConfig;
import io.microchatbot.service.UserInput;
import io.microchatbot.structured.ReplyFormats;

/**
 * The checks of a turn request that Bean Validation cannot express: content or tool results (one of them), the
 * tool results' shape, and the generation options in OpenAI's JSON shape (tools, tool_choice, response_format, read
 * by the same {@link ToolsReader} as the OpenAI-compatible API's), whose schemas must be JSON Schemas. All problems
 * are reported at once, before anything is stored.
 */
@ApplicationScoped
public class TurnRequests {

    private static final Pattern TOOL_CALL_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
    static final int MAX_TOOL_RESULTS = 128;

    private final Validation validation;
    private final ReplyFormats formats;
    private final TokenCounter tokens;
    private final int maxTokens;
    private final LimitsConfig limits;

    TurnRequests(Validation validation, ReplyFormats formats, TokenCounter tokens, LlmConfig llm, LimitsConfig limits) {
        this.validation = validation;
        this.formats = formats;
        this.tokens = tokens;
        this.maxTokens = llm.maxTokens();
        this.limits = limits;
    }

    /** The turn as the service takes it, or 400 validation_failed naming every invalid field. */
    public UserInput input(SendMessageRequest body) {
        SendMessageRequest request = validation.valid(body == null ? SendMessageRequest.EMPTY : body);
        List<FieldError> errors = new ArrayList<>();
        List<UserInput.ToolResult> results = toolResults(request, errors);
        if (request.maxTokens() != null && request.maxTokens() > maxTokens) {
            errors.add(new FieldError("max_tokens", "must be at most " + maxTokens
                    + " (chatbot.llm.max-tokens, the reply's reserve in the context window)"));
        }
        refuseNul(request, errors);
        GenerationOptions options = options(request.tools(), request.toolChoice(), request.responseFormat(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return request.toUserInput(tokens, results, options);
    }

    /** A conversation's turn defaults, or 400 validation_failed naming every invalid field. */
    public GenerationOptions options(JsonNode tools, JsonNode toolChoice, JsonNode responseFormat) {
        List<FieldError> errors = new ArrayList<>();
        GenerationOptions options = options(tools, toolChoice, responseFormat, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return options;
    }

    /**
     * Generation options as given in OpenAI's shape ({@link ToolsReader}, as the OpenAI-compatible API reads them),
     * with null members for what was not given; problems are added to {@code errors}. A tool choice naming a
     * function is checked against the tools only when they are given with it (else the conversation's apply).
     */
    public GenerationOptions options(JsonNode tools, JsonNode toolChoice, JsonNode responseFormat,
            List<FieldError> errors) {
        refuseNul(tools, "tools", errors);
        refuseNul(toolChoice, "tool_choice", errors);
        refuseNul(responseFormat, "response_format", errors);
        int before = errors.size();
        FieldErrors found = new FieldErrors();
        ToolsReader reader = new ToolsReader(found, formats);
        boolean toolsGiven = !FieldErrors.absent(tools);
        List<Tool> read = reader.tools(tools);
        ToolChoice choice = reader.toolChoice(toolChoice, read, toolsGiven);
        ResponseFormat format = reader.responseFormat(responseFormat);
        errors.addAll(found.list());
        return errors.size() == before ? new GenerationOptions(toolsGiven ? read : null, choice, format)
                : GenerationOptions.NONE;
    }

    /**
     * PostgreSQL stores no NUL character, in text or jsonb: a turn's parameters and options end up in its reply's
     * metadata (and a conversation's in its row), so one with a NUL would fail only after the provider was paid.
     */
    private static void refuseNul(SendMessageRequest request, List<FieldError> errors) {
        if (request.user() != null && request.user().indexOf('\0') >= 0) {
            errors.add(new FieldError("user", "must not contain NUL characters"));
        }
        if (request.stop() != null && request.stop().stream().anyMatch(stop -> stop == null || stop.indexOf('\0') >= 0)) {
            errors.add(new FieldError("stop", "must be strings without NUL characters"));
        }
    }

    /** As {@link #refuseNul(SendMessageRequest, List)}, for JSON members. */
    private static void refuseNul(JsonNode member, String field, List<FieldError> errors) {
        if (member != null && member.toString().contains("\\u0000")) {
            errors.add(new FieldError(field, "must not contain NUL characters"));
        }
    }

    private List<UserInput.ToolResult> toolResults(SendMessageRequest request, List<FieldError> errors) {
        JsonNode given = request.toolResults();
        boolean hasResults = given != null && !given.isNull();
        if (!hasResults) {
            if (request.content() == null) {
                errors.add(new FieldError("content", "is required (or tool_results, answering the last reply's tool"
                        + " calls)"));
            }
            return List.of();
        }
        if (request.content() != null) {
            errors.add(new FieldError("content", "must be absent when tool_results are sent; send the message in"
                    + " the next turn"));
        }
        if (!given.isArray() || given.isEmpty() || given.size() > MAX_TOOL_RESULTS) {
            errors.add(new FieldError("tool_results", "must be a list of 1-" + MAX_TOOL_RESULTS
                    + " {tool_call_id, content} objects"));
            return List.of();
        }
        List<UserInput.ToolResult> results = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            String field = "tool_results[" + i + "]";
            JsonNode result = given.get(i);
            JsonNode id = result.get("tool_call_id");
            JsonNode content = result.get("content");
            if (!result.isObject()) {
                errors.add(new FieldError(field, "must be an object {tool_call_id, content}"));
                continue;
            }
            if (id == null || !id.isTextual() || !TOOL_CALL_ID.matcher(id.textValue()).matches()) {
                errors.add(new FieldError(field + ".tool_call_id", "is required: the id of the tool call answered,"
                        + " 1-128 printable characters"));
            }
            if (content == null || !content.isTextual()) {
                errors.add(new FieldError(field + ".content", "is required: the tool's result as text (JSON results"
                        + " as a JSON string)"));
            } else if (content.textValue().codePointCount(0, content.textValue().length()) > limits.contentMaxChars()
                    || content.textValue().indexOf('\0') >= 0) {
                errors.add(new FieldError(field + ".content", "must be at most " + limits.contentMaxChars()
                        + " characters, without NUL"));
            }
            if (id != null && id.isTextual() && content != null && content.isTextual()) {
                results.add(new UserInput.ToolResult(id.textValue(), content.textValue(),
                        tokens.count(content.textValue())));
            }
        }
        return results;
    }
}
