package io.microchatbot.service;

import java.util.List;
import java.util.Optional;

import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.generation.Parameters;

/**
 * What a caller sends for a turn, validated: either a user message ({@code content}, its token count) or the
 * results of the tool calls the last reply asked for ({@code toolResults}, then {@code content} is null); its
 * metadata as a JSON object text; how this turn's reply is to be generated; and the models its caller may use
 * ({@code allowedModels}, null: any); and the API key its caller came with ({@code apiKeyId}, null: none), whose
 * budget the turn is held to and charged on.
 */
public record UserInput(String content, String metadataJson, int contentTokens, List<ToolResult> toolResults,
        GenerationOptions options, Parameters parameters, List<String> allowedModels, String apiKeyId) {

    public UserInput {
        toolResults = toolResults == null ? List.of() : List.copyOf(toolResults);
        options = options == null ? GenerationOptions.NONE : options;
        parameters = parameters == null ? Parameters.NONE : parameters;
        allowedModels = allowedModels == null ? null : List.copyOf(allowedModels);
    }

    public UserInput(String content, String metadataJson, int contentTokens, List<ToolResult> toolResults,
            GenerationOptions options, Parameters parameters) {
        this(content, metadataJson, contentTokens, toolResults, options, parameters, null, null);
    }

    /** A plain user message, the model's defaults. */
    public UserInput(String content, String metadataJson, int contentTokens) {
        this(content, metadataJson, contentTokens, List.of(), GenerationOptions.NONE, Parameters.NONE);
    }

    /**
     * This input from a caller who may use only {@code allowed} models (empty: any): the turn's model, whether its
     * own, its conversation's or the default, is checked against them when the conversation is read.
     */
    public UserInput allowingOnly(Optional<List<String>> allowed) {
        return new UserInput(content, metadataJson, contentTokens, toolResults, options, parameters,
                allowed.orElse(null), apiKeyId);
    }

    /** This input from a caller that came with the API key {@code id} (null: none), for its budget and usage. */
    public UserInput byKey(String id) {
        return new UserInput(content, metadataJson, contentTokens, toolResults, options, parameters, allowedModels,
                id);
    }

    public boolean answersToolCalls() {
        return !toolResults.isEmpty();
    }

    /** Tokens of everything this input adds to the conversation. */
    public int totalTokens() {
        return contentTokens + toolResults.stream().mapToInt(ToolResult::contentTokens).sum();
    }

    /** The result of one tool call: what the caller's function returned, as text (often JSON). */
    public record ToolResult(String toolCallId, String content, int contentTokens) {
    }
}
