package io.microchatbot.rest;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.microchatbot.pagination.PageSize;
import io.microchatbot.problem.ApiException;

/**
 * The query parameters of a listing, typed. RESTEasy converts them with {@code fromString}; a bad value is a
 * validation_failed problem naming the parameter (the framework wraps the {@link ApiException}, see
 * {@link ProblemMappers#web}).
 */
public final class Paging {

    public static final String DEFAULT_LIMIT = "20";
    public static final String ASCENDING = "asc";
    private static final int MAX_LIMIT = PageSize.MAX;

    private Paging() {
    }

    /** {@code limit}: 1 to 100 items; 20 when absent or empty. */
    @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = DEFAULT_LIMIT)
    public record Limit(int value) {

        public static Limit fromString(String raw) {
            if (raw == null || raw.isEmpty()) {
                return fromString(DEFAULT_LIMIT);
            }
            try {
                int limit = Integer.parseInt(raw);
                if (limit >= 1 && limit <= MAX_LIMIT) {
                    return new Limit(limit);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw ApiException.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
        }
    }

    /** {@code order}: {@code asc} (oldest first, reading order, the default) or {@code desc}. */
    @Schema(type = SchemaType.STRING, enumeration = { ASCENDING, "desc" }, defaultValue = ASCENDING)
    public record Order(boolean ascending) {

        public static Order fromString(String raw) {
            if (raw == null || raw.isEmpty() || raw.equals(ASCENDING)) {
                return new Order(true);
            }
            if (raw.equals("desc")) {
                return new Order(false);
            }
            throw ApiException.invalid("order", "must be asc or desc");
        }
    }

    /** {@code cursor}: absent or empty for the first page. */
    static String cursor(String raw) {
        return raw == null || raw.isEmpty() ? null : raw;
    }
}
