package io.microchatbot.cache;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The newest messages of each conversation (up to chatbot.llm.context-max-messages), cached in Redis for the next
 * turn's context and the first page of its messages.
 */
@ConfigMapping(prefix = "chatbot.cache")
public interface CacheConfig {
    @WithDefault("true")
    boolean enabled();

    /** A conversation's cached messages are dropped this long after they were last read or written. */
    @WithDefault("1h")
    Duration ttl();
}
