package io.microchatbot.generation;

import java.util.List;
import java.util.Optional;

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

    /**
     * What is wrong with the tool choice given the tools, once a turn's options are merged over its conversation's
     * (each may come from either): a named function that is not among them, or {@code required} with none.
     */
    public Optional<String> choiceProblem() {
        if (toolChoice == null) {
            return Optional.empty();
        }
        if (ToolChoice.FUNCTION.equals(toolChoice.mode())
                && toolList().stream().noneMatch(tool -> tool.name().equals(toolChoice.name()))) {
            return Optional.of("names " + toolChoice.name() + ", which is not one of this turn's tools");
        }
        if ("required".equals(toolChoice.mode()) && toolList().isEmpty()) {
            return Optional.of("is required, but this turn has no tools");
        }
        return Optional.empty();
    }

    /** The tools, never null. */
    public List<Tool> toolList() {
        return tools == null ? List.of() : tools;
    }
}
