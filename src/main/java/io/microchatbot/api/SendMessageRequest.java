package io.microchatbot.api;

import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.generation.Parameters;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.service.UserInput;
import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.MetadataObject;
import io.microchatbot.validation.ModelName;

/**
 * Body of {@code POST /api/v1/conversations/{id}/messages}: a user message ({@code content}) or the results of the
 * last reply's tool calls ({@code tool_results}), and how this turn's reply is generated. The members checked
 * against each other and the JSON members (tools, tool_choice, response_format, tool_results) are checked by
 * {@code validation.TurnRequests}; the rest by the constraints here.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SendMessageRequest(
        @BoundedText(value = Limit.CONTENT, notBlank = true) String content,
        JsonNode toolResults,
        @MetadataObject JsonNode metadata,
        Boolean stream,
        @ModelName String model,
        @DecimalMin("0") @DecimalMax("2") Double temperature,
        @DecimalMin("0") @DecimalMax("1") Double topP,
        @Min(1) Integer maxTokens,
        @Size(max = 4) List<@Size(min = 1, max = 256) String> stop,
        Long seed,
        @Size(max = 256) String user,
        JsonNode tools,
        JsonNode toolChoice,
        JsonNode responseFormat) {

    /** What an absent body says: nothing, so it is refused for its missing content. */
    public static final SendMessageRequest EMPTY = new SendMessageRequest(null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    /** A plain user message, as gRPC and commands send it. */
    public SendMessageRequest(String content, JsonNode metadata, Boolean stream) {
        this(content, null, metadata, stream, null, null, null, null, null, null, null, null, null, null);
    }

    public Parameters parameters() {
        return new Parameters(model, temperature, topP, maxTokens, stop, seed, user);
    }

    /** The message, once valid, as the service takes it, with its token count. */
    public UserInput toUserInput(TokenCounter tokens) {
        return toUserInput(tokens, List.of(), GenerationOptions.NONE);
    }

    /** The turn, once valid, with its checked tool results and generation options. */
    public UserInput toUserInput(TokenCounter tokens, List<UserInput.ToolResult> results, GenerationOptions options) {
        return new UserInput(content, metadata == null || metadata.isNull() ? "{}" : metadata.toString(),
                tokens.count(content), results, options, parameters());
    }
}
