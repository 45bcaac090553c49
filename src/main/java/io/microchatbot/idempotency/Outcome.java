package io.microchatbot.idempotency;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.smallrye.mutiny.Multi;

/**
 * What a guarded piece of work answered, in terms every edge can write: REST as a response, commands as done or
 * failed, gRPC as a message or a status. {@link Answered}, {@link Refused} and {@link Transcript} are what is
 * recorded for replays (as JSON, see {@link IdempotencyStore}); {@link Streaming} is a transcript still being
 * produced, and {@link Replayed} marks a recorded outcome given to a retry.
 */
public sealed interface Outcome {

    /** A recorded outcome: complete when it is made. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Answered.class, name = "answered"),
            @JsonSubTypes.Type(value = Refused.class, name = "refused"),
            @JsonSubTypes.Type(value = Transcript.class, name = "transcript") })
    sealed interface Recorded extends Outcome {
    }

    /**
     * The work succeeded. {@code view} is the JSON of the view it answered, kept as the text that was sent so that
     * a replay is the same bytes; {@code location} is the URI of what it created, or null.
     */
    record Answered(String view, String location) implements Recorded {
    }

    /**
     * The work was refused or failed, as a problem: its code, detail, field errors and retry-after, the operation
     * it named ({@code instance}) and the correlation id of the request that ran it.
     */
    record Refused(ErrorCode code, String detail, Integer retryAfterSeconds, List<FieldError> errors,
            String instance, String correlationId, String turnEvents) implements Recorded {

        public Refused {
            errors = errors == null ? List.of() : List.copyOf(errors);
        }

        public static Refused of(ApiException problem, String instance, String correlationId) {
            return new Refused(problem.code(), problem.getMessage(), problem.retryAfterSeconds().orElse(null),
                    problem.errors(), instance, correlationId, problem.turnEvents().orElse(null));
        }

        /** The problem again, as the exception the edges write. */
        public ApiException problem() {
            return new ApiException(code, detail, retryAfterSeconds, errors, turnEvents);
        }
    }

    /** A turn's server-sent events, as they were sent (without a terminal event when the caller hung up). */
    record Transcript(String events) implements Recorded {
    }

    /** A turn's server-sent events while they are produced; recorded as a {@link Transcript} when they end. */
    record Streaming(Multi<String> events) implements Outcome {
    }

    /** A recorded outcome answered again to a request with the same key and fingerprint. */
    record Replayed(Recorded recorded) implements Outcome {
    }
}
