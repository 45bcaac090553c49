package io.microchatbot.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.service.TurnResult;

/** Answer of a non-streaming turn. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TurnView(MessageView userMessage, MessageView assistantMessage, UsageView usage, String model) {

    public static TurnView of(TurnResult turn) {
        return new TurnView(MessageView.of(turn.userMessage()), MessageView.of(turn.assistantMessage()),
                UsageView.of(turn.assistantMessage()), turn.assistantMessage().model);
    }
}
