package io.microchatbot.service;

import java.util.List;

import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.generation.Parameters;

/**
 * What a caller sends for a turn, validated: either a user message ({@code content}, its token count) or the
 * results of the tool calls the last reply asked for ({@code toolResults}, then {@code content} is null); its
 * metadata as a JSON object text; and how this turn's reply is to be generated.
 */
public record UserInput(String content, String metadataJson, int contentTokens, List<ToolResult> toolResults,
        GenerationOptions options, Parameters parameters) {

    public UserInput {
        toolResults = toolResults == null ? List.of() : List.copyOf(toolResults);
        options = options == null ? GenerationOptions.NONE : options;
        parameters = parameters == null ? Parameters.NONE : parameters;
    }

    /** A plain user message, the model's defaults. */
    public UserInput(String content, String metadataJson, int contentTokens) {
        this(content, metadataJson, contentTokens, List.of(), GenerationOptions.NONE, Parameters.NONE);
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
