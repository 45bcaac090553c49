package io.microchatbot.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.service.NewConversation;
import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.MetadataObject;
import io.microchatbot.validation.ModelName;

/** Body of {@code POST /api/v1/conversations}; every field is optional. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateConversationRequest(
        @BoundedText(Limit.TITLE) String title,
        @BoundedText(Limit.SYSTEM_PROMPT) String systemPrompt,
        @ModelName String model,
        @MetadataObject JsonNode metadata) {

    /** What an absent body asks for: a conversation with the defaults. */
    public static final CreateConversationRequest EMPTY = new CreateConversationRequest(null, null, null, null);

    /** The request, once valid, as the service takes it. */
    public NewConversation toNewConversation() {
        return new NewConversation(title, systemPrompt, model,
                metadata == null || metadata.isNull() ? null : metadata.toString());
    }
}
