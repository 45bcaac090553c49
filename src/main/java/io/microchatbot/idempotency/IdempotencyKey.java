package io.microchatbot.idempotency;

import java.util.List;
import java.util.Optional;

import io.microchatbot.problem.ApiException;

/**
 * The caller's {@code Idempotency-Key}: 1-255 printable ASCII characters, taken verbatim (a quoted value, as in
 * the IETF draft's examples, keeps its quotes). It names one operation of one caller, never of another.
 */
public record IdempotencyKey(String value) {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (!valid(value)) {
            throw invalid();
        }
    }

    /**
     * The key a request carries, from the values of its header (or metadata entry); empty without one; 400
     * validation_failed when malformed or sent twice.
     */
    public static Optional<IdempotencyKey> from(List<String> values) {
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ApiException.invalid(HEADER, "must be sent once");
        }
        return Optional.of(new IdempotencyKey(values.get(0)));
    }

    private static boolean valid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }

    private static ApiException invalid() {
        return ApiException.invalid(HEADER, "must be 1-" + MAX_LENGTH + " printable ASCII characters");
    }
}
