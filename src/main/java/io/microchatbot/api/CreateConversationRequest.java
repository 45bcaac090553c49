package io.microchatbot.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.generation.GenerationJson;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.service.NewConversation;
import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.MetadataObject;
import io.microchatbot.validation.ModelName;

/**
 * Body of {@code POST /api/v1/conversations}; every field is optional. {@code tools}, {@code tool_choice} and
 * {@code response_format} are the defaults of its turns, in OpenAI's shape; a turn may override each.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateConversationRequest(
        @BoundedText(Limit.TITLE) String title,
        @BoundedText(Limit.SYSTEM_PROMPT) String systemPrompt,
        @ModelName String model,
        @MetadataObject JsonNode metadata,
        JsonNode tools,
        JsonNode toolChoice,
        JsonNode responseFormat) {

    /** What an absent body asks for: a conversation with the defaults. */
    public static final CreateConversationRequest EMPTY = new CreateConversationRequest(null, null, null, null, null,
            null, null);

    public CreateConversationRequest(String title, String systemPrompt, String model, JsonNode metadata) {
        this(title, systemPrompt, model, metadata, null, null, null);
    }

    /**
     * The request, once valid, as the service takes it, with the defaults of its turns (checked by
     * {@code validation.TurnRequests}: tools, tool_choice, response_format).
     */
    public NewConversation toNewConversation(GenerationOptions defaults) {
        return new NewConversation(title, systemPrompt, model,
                metadata == null || metadata.isNull() ? null : metadata.toString(), GenerationJson.toJson(defaults));
    }
}
