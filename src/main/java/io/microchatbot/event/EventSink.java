package io.microchatbot.event;

import java.util.List;

import io.smallrye.mutiny.Uni;

/** Where the relay publishes the outbox: the events stream or the events topic. */
interface EventSink {

    /**
     * Publishes the events in this order and completes once all of them are durably taken; fails with
     * {@link EventSinkUnavailable} when some may not be (they are all published again).
     */
    Uni<Void> publish(List<PendingEvent> events);

    /** What readiness shows of it. */
    String describe();
}
