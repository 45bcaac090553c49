package io.microchatbot.redis;

import java.time.Duration;

/**
 * What a {@link StreamGroupConsumer} reads and how.
 *
 * @param name names its operations in metrics and logs: {@code commands} reports {@code commands-read},
 *        {@code commands-ack}, …
 * @param stream the stream's key
 * @param group the consumer group; created with the stream when missing, starting at {@code start}
 * @param start where a new group starts: {@code 0} for the whole stream, {@code $} for entries added from then on
 * @param batch entries read, or taken over, at once
 * @param block how long a read waits in Redis for new entries; zero: it answers at once
 * @param pause the wait between two rounds that succeeded
 * @param claimIdle entries pending this long for any consumer (its pod died) are taken over; looked for this often
 * @param timeout a command not answered within this (beyond {@code block} for a read) counts as Redis failing
 * @param backoff the waits after rounds that failed
 * @param rereadOwnPending after a failure, first read again what this consumer read and did not acknowledge: for
 *        handlers whose entries are done (acknowledged or failed) when {@link StreamHandler#handle} answers
 */
public record StreamGroup(String name, String stream, String group, String start, int batch, Duration block,
        Duration pause, Duration claimIdle, Duration timeout, Backoff backoff, boolean rereadOwnPending) {

    /** Waits {@code first} after a failure, doubling with each further one up to {@code max}. */
    public record Backoff(Duration first, Duration max) {

        Duration after(Duration wait) {
            Duration doubled = wait.multipliedBy(2);
            return doubled.compareTo(max) > 0 ? max : doubled;
        }
    }

    String operation(String what) {
        return name + "-" + what;
    }
}
