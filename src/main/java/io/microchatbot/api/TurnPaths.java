package io.microchatbot.api;

import java.util.UUID;

/** Where a conversation's turns are followed and cancelled (rest.TurnResource). */
public final class TurnPaths {

    private TurnPaths() {
    }

    /** The events of the conversation's newest turn, running or ended. */
    public static String currentEvents(UUID conversationId) {
        return "/api/v1/conversations/" + conversationId + "/turns/current/events";
    }

    public static String events(UUID conversationId, UUID messageId) {
        return "/api/v1/conversations/" + conversationId + "/turns/" + messageId + "/events";
    }

    /** The path the turn's own events name as their problems' {@code instance}: where the turn was sent. */
    public static String messages(UUID conversationId) {
        return "/api/v1/conversations/" + conversationId + "/messages";
    }
}
