package io.microchatbot.idempotency;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Multi;

/**
 * A response as a resource writes it: status, the headers the service sets itself (Content-Type, Location,
 * Retry-After, the event-stream headers) and the body. {@link Whole} is complete when it is made and is what
 * is kept for replays; {@link Streamed} is written chunk by chunk as it is produced.
 */
public sealed interface Answer {

    /** Header that marks a replayed response. */
    String REPLAYED_HEADER = "Idempotent-Replayed";

    int status();

    Map<String, List<String>> headers();

    /** The body as the chunks to write. */
    Multi<String> chunks();

    /** A response whose body is known in full: JSON, a problem, or a recorded event stream. */
    record Whole(int status, Map<String, List<String>> headers, String body) implements Answer {

        @Override
        public Multi<String> chunks() {
            return Multi.createFrom().item(body);
        }

        /** The same response, marked as a replay. */
        Whole replayed() {
            Map<String, List<String>> marked = new LinkedHashMap<>(headers);
            marked.put(REPLAYED_HEADER, List.of("true"));
            return new Whole(status, Map.copyOf(marked), body);
        }
    }

    /** A response whose body is still being produced: a turn's server-sent events. */
    record Streamed(int status, Map<String, List<String>> headers, Multi<String> events) implements Answer {

        @Override
        public Multi<String> chunks() {
            return events;
        }
    }
}
