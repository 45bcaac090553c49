package io.microchatbot.validation;

import java.util.function.ToIntFunction;

import io.microchatbot.service.LimitsConfig;

/** How long a text field may be: most from configuration ({@code chatbot.limits.*}), some fixed by the API. */
public enum Limit {
    TITLE(LimitsConfig::titleMaxChars),
    SYSTEM_PROMPT(LimitsConfig::systemPromptMaxChars),
    MODEL(LimitsConfig::modelMaxChars),
    CONTENT(LimitsConfig::contentMaxChars),
    WEBHOOK_DESCRIPTION(limits -> 500);

    private final ToIntFunction<LimitsConfig> maxChars;

    Limit(ToIntFunction<LimitsConfig> maxChars) {
        this.maxChars = maxChars;
    }

    int maxChars(LimitsConfig limits) {
        return maxChars.applyAsInt(limits);
    }
}
