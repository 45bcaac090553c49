package io.microchatbot.webhook;

import java.util.Set;

/** The event types a webhook may subscribe to (docs/events.md), and the wildcard that stands for all of them. */
public final class EventTypes {

    /** Every event, including types added later. */
    public static final String ALL = "*";
    public static final Set<String> KNOWN = Set.of(
            "chatbot.conversation-created",
            "chatbot.conversation-deleted",
            "chatbot.message-created",
            "chatbot.reply-completed",
            "chatbot.reply-failed");

    private EventTypes() {
    }
}
