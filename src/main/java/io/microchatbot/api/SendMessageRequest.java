package io.microchatbot.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.llm.TokenCounter;
import io.microchatbot.service.UserInput;
import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.MetadataObject;

/** Body of {@code POST /api/v1/conversations/{id}/messages}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SendMessageRequest(
        @BoundedText(value = Limit.CONTENT, required = true, notBlank = true) String content,
        @MetadataObject JsonNode metadata,
        Boolean stream) {

    /** What an absent body says: nothing, so it is refused for its missing content. */
    public static final SendMessageRequest EMPTY = new SendMessageRequest(null, null, null);

    /** The message, once valid, as the service takes it, with its token count. */
    public UserInput toUserInput(TokenCounter tokens) {
        return new UserInput(content, metadata == null || metadata.isNull() ? "{}" : metadata.toString(),
                tokens.count(content));
    }
}
