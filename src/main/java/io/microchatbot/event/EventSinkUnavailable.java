package io.microchatbot.event;

/** The transport did not take a batch of events: they stay in the outbox and are published again. */
class EventSinkUnavailable extends RuntimeException {

    EventSinkUnavailable(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
