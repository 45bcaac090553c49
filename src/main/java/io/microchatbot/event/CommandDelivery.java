package io.microchatbot.event;

import java.util.Map;

import io.smallrye.mutiny.Uni;

/** One command as its transport delivered it: a stream entry, or a record of the commands topic. */
interface CommandDelivery {

    /** Where it was read, for logs. */
    String id();

    /** The command envelope as written, or null when the entry carries none. */
    String command();

    /** Carried out: it is not delivered again. */
    Uni<Void> acknowledge();

    /**
     * Writes the command, with these fields saying why it failed, to the dead letters, then acknowledges it; fails
     * when the dead letter could not be written, leaving it unacknowledged, to be delivered again.
     */
    Uni<Void> deadLetter(Map<String, String> failure);
}
