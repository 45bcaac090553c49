package io.microchatbot.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sizes a conversation's and a message's fields may have (chatbot.limits.*, CHATBOT_LIMITS_*). */
@ConfigMapping(prefix = "chatbot.limits")
public interface LimitsConfig {
    @WithDefault("32000")
    int contentMaxChars();

    @WithDefault("16384")
    int metadataMaxBytes();

    @WithDefault("200")
    int titleMaxChars();

    @WithDefault("32000")
    int systemPromptMaxChars();

    @WithDefault("100")
    int modelMaxChars();
}
