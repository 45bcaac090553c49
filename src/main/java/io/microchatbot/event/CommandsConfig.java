package io.microchatbot.event;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Commands read by a consumer group from a Redis Stream or a Kafka topic (docs/events.md#commands). */
@ConfigMapping(prefix = "chatbot.commands")
public interface CommandsConfig {
    @WithDefault("true")
    boolean enabled();

    @WithDefault("chatbot.commands")
    String stream();

    /** The topic commands are read from when Kafka is the transport. */
    @WithDefault("chatbot.commands")
    String topic();

    /** The topic failed commands go to when Kafka is the transport. */
    @WithDefault("chatbot.dead-letter")
    String deadLetterTopic();

    /** How often each replica reads new commands. */
    @WithDefault("200ms")
    Duration pollInterval();

    /** The consumer group; every replica is one consumer of it. */
    @WithDefault("chatbot-service")
    String group();

    /** Commands that failed for good, with their error. */
    @WithDefault("chatbot.dead-letter")
    String deadLetterStream();

    /**
     * Attempts of a command failing for a passing reason (database unreachable, conversation busy) before it goes
     * to the dead-letter stream.
     */
    @WithDefault("5")
    int maxAttempts();

    /** Wait before the second attempt; it doubles with each attempt. */
    @WithDefault("500ms")
    Duration retryDelay();

    /**
     * A command delivered to a consumer that has not acknowledged it for this long (its pod died) is taken over;
     * keep it above the longest turn.
     */
    @WithDefault("5m")
    Duration reclaimAfter();

    /** Commands read at once by a consumer. */
    @WithDefault("16")
    int batch();
}
