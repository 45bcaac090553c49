package io.microchatbot.pagination;

import io.microchatbot.problem.ApiException;

/** How many items a page of a listing holds: 1 to {@link #MAX}, {@link #DEFAULT} when the caller does not say. */
public final class PageSize {

    public static final int DEFAULT = 20;
    public static final int MAX = 100;

    private PageSize() {
    }

    /** A page size where 0 means "not given" (an unset proto field), or 400 validation_failed for {@code field}. */
    public static int orDefault(int requested, String field) {
        if (requested == 0) {
            return DEFAULT;
        }
        if (requested < 1 || requested > MAX) {
            throw ApiException.invalid(field, "must be an integer from 1 to " + MAX);
        }
        return requested;
    }
}
