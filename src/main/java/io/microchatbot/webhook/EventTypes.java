package io.microchatbot.webhook;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import io.microchatbot.event.EventType;

/** The event types a webhook may subscribe to (docs/events.md), and the wildcard that stands for all of them. */
public final class EventTypes {

    /** Every event, including types added later. */
    public static final String ALL = "*";
    public static final Set<String> KNOWN = Arrays.stream(EventType.values()).map(EventType::wireName)
            .collect(Collectors.toUnmodifiableSet());

    private EventTypes() {
    }
}
