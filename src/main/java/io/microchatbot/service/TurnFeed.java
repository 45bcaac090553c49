package io.microchatbot.service;

import java.util.List;

/**
 * Where a running turn's events go besides its own caller, so that a caller on any replica can follow the turn
 * again (turns.RedisTurnFeed). Writing never delays nor fails the turn: a feed that cannot be written stops, and
 * its followers fall back on the stored reply.
 */
public interface TurnFeed {

    /** A writer for this turn's events, to be given every event in order, the terminal one last. */
    Writer writer(TurnStart turn);

    interface Writer {
        void append(TurnEvent event);

        /** Several events in order, written together (one round trip where the feed can). */
        default void appendAll(List<TurnEvent> events) {
            events.forEach(this::append);
        }
    }
}
