package io.microchatbot.problem;

import java.util.List;
import java.util.Optional;

/** A failure the caller should see as a problem with a stable code; carries no stack trace to the wire. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Integer retryAfterSeconds;
    private final List<FieldError> errors;
    private final String turnEvents;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, null, List.of());
    }

    public ApiException(ErrorCode code, String detail, Integer retryAfterSeconds) {
        this(code, detail, retryAfterSeconds, List.of());
    }

    public ApiException(ErrorCode code, String detail, Integer retryAfterSeconds, List<FieldError> errors) {
        this(code, detail, retryAfterSeconds, errors, null);
    }

    /** @param turnEvents where the running turn this answer is about can be followed (a path), or null */
    public ApiException(ErrorCode code, String detail, Integer retryAfterSeconds, List<FieldError> errors,
            String turnEvents) {
        super(detail, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.errors = errors;
        this.turnEvents = turnEvents;
    }

    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ApiException(ErrorCode.validation_failed, detail, null, errors);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.not_found, what + " not found");
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<Integer> retryAfterSeconds() {
        return Optional.ofNullable(retryAfterSeconds);
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The path of the events of the turn this problem is about (sent as a {@code Link} and {@code turn_events}). */
    public Optional<String> turnEvents() {
        return Optional.ofNullable(turnEvents);
    }
}
