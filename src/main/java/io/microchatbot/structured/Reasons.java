package io.microchatbot.structured;

import java.util.List;
import java.util.stream.Collectors;

import com.networknt.schema.Error;

/** Short human-readable reasons: they go into a stored reply's metadata and a problem's detail, so they are capped. */
final class Reasons {

    static final int MAX_CHARS = 500;
    static final int MAX_ERRORS = 3;

    private Reasons() {
    }

    /** The first few errors as "/path: message", joined; "(and N more)" when some were left out. */
    static String of(List<Error> errors) {
        String shown = errors.stream().limit(MAX_ERRORS).map(Reasons::describe).collect(Collectors.joining("; "));
        int more = errors.size() - MAX_ERRORS;
        return capped(more > 0 ? shown + " (and " + more + " more)" : shown);
    }

    static String capped(String text) {
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS - 1) + "…";
    }

    private static String describe(Error error) {
        String location = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
        return location.isEmpty() ? error.getMessage() : location + ": " + error.getMessage();
    }
}
