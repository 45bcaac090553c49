package io.microchatbot.validation;

import java.util.UUID;

import io.microchatbot.problem.ApiException;

/** Resource ids: UUIDs in their canonical 36-character form only, which {@link UUID#fromString} alone does not insist on. */
public final class Ids {

    private Ids() {
    }

    /** The id, or 400 validation_failed for {@code id}. */
    public static UUID parse(String raw) {
        return parse(raw, "id");
    }

    /** The id, or 400 validation_failed for {@code field}. */
    public static UUID parse(String raw, String field) {
        try {
            if (raw != null && raw.length() == 36) {
                return UUID.fromString(raw);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw ApiException.invalid(field, "must be a UUID");
    }
}
