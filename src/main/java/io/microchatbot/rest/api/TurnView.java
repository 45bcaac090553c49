package io.microchatbot.rest.api;

import io.microchatbot.service.TurnResult;

/** Answer of a non-streaming turn. */
public record TurnView(MessageView user_message, MessageView assistant_message, UsageView usage, String model) {

    public static TurnView of(TurnResult turn) {
        return new TurnView(MessageView.of(turn.userMessage()), MessageView.of(turn.assistantMessage()),
                UsageView.of(turn.assistantMessage()), turn.assistantMessage().model);
    }
}
