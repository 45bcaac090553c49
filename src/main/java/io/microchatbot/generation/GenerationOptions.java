package io.microchatbot.generation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.Tool;
import io.microchatbot.llm.ToolChoice;

/**
 * What a conversation or a turn asks of the model beyond sampling: the tools it may call, whether it must call
 * one, and the shape of its reply. Null members are "not said": a turn's options fall back to its conversation's.
 */
public record GenerationOptions(List<Tool> tools, ToolChoice toolChoice, ResponseFormat responseFormat) {

    public static final GenerationOptions NONE = new GenerationOptions(null, null, null);

    @JsonIgnore
    public boolean isEmpty() {
        return tools == null && toolChoice == null && responseFormat == null;
    }

    /** These options where {@code turn} says nothing; the turn's where it does. */
    public GenerationOptions overriddenBy(GenerationOptions turn) {
        if (turn == null || turn.isEmpty()) {
            return this;
        }
        return new GenerationOptions(turn.tools != null ? turn.tools : tools,
                turn.toolChoice != null ? turn.toolChoice : toolChoice,
                turn.responseFormat != null ? turn.responseFormat : responseFormat);
    }

    /** The tools, never null. */
    public List<Tool> toolList() {
        return tools == null ? List.of() : tools;
    }
}
