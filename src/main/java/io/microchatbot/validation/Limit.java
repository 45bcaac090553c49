package io.microchatbot.validation;

import java.util.function.ToIntFunction;

import io.microchatbot.config.ChatbotConfig;

/** How long a text field may be: most from configuration ({@code chatbot.limits.*}), some fixed by the API. */
public enum Limit {
    TITLE(ChatbotConfig.Limits::titleMaxChars),
    SYSTEM_PROMPT(ChatbotConfig.Limits::systemPromptMaxChars),
    MODEL(ChatbotConfig.Limits::modelMaxChars),
    CONTENT(ChatbotConfig.Limits::contentMaxChars),
    WEBHOOK_DESCRIPTION(limits -> 500);

    private final ToIntFunction<ChatbotConfig.Limits> maxChars;

    Limit(ToIntFunction<ChatbotConfig.Limits> maxChars) {
        this.maxChars = maxChars;
    }

    int maxChars(ChatbotConfig.Limits limits) {
        return maxChars.applyAsInt(limits);
    }
}
