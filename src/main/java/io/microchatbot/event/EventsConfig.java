package io.microchatbot.event;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Publishing the outbox to Redis Streams (docs/events.md). */
@ConfigMapping(prefix = "chatbot.events")
public interface EventsConfig {
    /** The stream every event is published to, in order per conversation. */
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
