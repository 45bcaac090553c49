package io.microchatbot.llm;

/**
 * Reads server-sent events line by line, as the HTML standard defines their fields: {@code data:} lines joined with
 * newlines, one space after the colon dropped, {@code event:} and {@code id:} kept with the event, comments and
 * other fields ignored, a blank line ending the event. Fed by whoever splits the lines (the provider client, the
 * tests' SSE reader), so both read the wire alike.
 */
public final class SseParser {

    /** One event: {@code id} and {@code name} are null when it had no such field. */
    public record Event(String id, String name, String data) {
    }

    private String id;
    private String name;
    private StringBuilder data;

    /**
     * Reads one line, without its line feed (a carriage return before it is dropped). Returns the event a blank
     * line completes, or null: an event without a {@code data} field is not dispatched.
     */
    public Event line(String line) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            return dispatch();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> name = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {
                // comments (": keep-alive", an empty field name) and fields such as retry: carry nothing we use
            }
        }
        return null;
    }

    /** The stream ended: the event it ended in the middle of (without its blank line), or null. */
    public Event end() {
        return dispatch();
    }

    private Event dispatch() {
        if (data == null) {
            return null;
        }
        Event event = new Event(id, name, data.toString());
        id = null;
        name = null;
        data = null;
        return event;
    }
}
