package io.microchatbot.event;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Publishing the outbox to Redis Streams or Kafka (docs/events.md). */
@ConfigMapping(prefix = "chatbot.events")
public interface EventsConfig {
    /** Where events are published, and commands read: {@code redis} (streams) or {@code kafka} (topics). */
    @WithDefault("redis")
    EventsTransport transport();

    /** The topic every event is published to on Kafka, keyed by conversation id. */
    @WithDefault("chatbot.events")
    String topic();

    /** The stream every event is published to on Redis, in order per conversation. */
    @WithDefault("chatbot.events")
    String stream();

    /** Entries the stream keeps, approximately (XADD MAXLEN ~); consumers must keep up within it. */
    @WithDefault("1000000")
    long maxLength();

    /** How often each replica looks for events to publish (one replica publishes at a time). */
    @WithDefault("200ms")
    Duration relayInterval();

    /** Events published per transaction of the relay. */
    @WithDefault("500")
    int relayBatch();

    /** Published events are deleted from the outbox table after this. */
    @WithDefault("7d")
    Duration retention();
}
