package io.microchatbot.event;

/** Where the outbox is published and commands are read: Redis Streams, or Kafka topics (docs/events.md). */
public enum EventsTransport {
    redis,
    kafka
}
