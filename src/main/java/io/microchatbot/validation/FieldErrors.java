package io.microchatbot.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;

/**
 * Reads members of an OpenAI request body, each checked on the spot; every problem found is kept under its path as
 * on the wire ({@code messages[2].tool_call_id}) and all are reported at once by {@link #throwIfAny()}. A reader
 * returns null for a member that is absent, JSON null or invalid.
 */
public final class FieldErrors {

    private final List<FieldError> errors = new ArrayList<>();

    public void add(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** The problems found so far, in the order found. */
    public List<FieldError> list() {
        return List.copyOf(errors);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(List.copyOf(errors));
        }
    }

    public static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    public String text(JsonNode node, String field) {
        if (absent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            add(field, "must be a string");
            return null;
        }
        return node.textValue();
    }

    public String requiredText(JsonNode node, String field) {
        if (absent(node)) {
            add(field, "is required");
            return null;
        }
        String text = text(node, field);
        if (text != null && text.isBlank()) {
            add(field, "must not be blank");
            return null;
        }
        return text;
    }

    public String matching(JsonNode node, String field, Pattern pattern, String rule, boolean required) {
        String text = required ? requiredText(node, field) : text(node, field);
        if (text != null && !pattern.matcher(text).matches()) {
            add(field, rule);
            return null;
        }
        return text;
    }

    public Double number(JsonNode node, String field, double min, double max) {
        if (absent(node)) {
            return null;
        }
        if (!node.isNumber()) {
            add(field, "must be a number");
            return null;
        }
        double value = node.doubleValue();
        if (value < min || value > max) {
            add(field, "must be between " + strip(min) + " and " + strip(max));
            return null;
        }
        return value;
    }

    public Long integer(JsonNode node, String field, long min, long max) {
        if (absent(node)) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            add(field, "must be an integer");
            return null;
        }
        long value = node.longValue();
        if (value < min || value > max) {
            add(field, max == Long.MAX_VALUE ? "must be at least " + min : "must be between " + min + " and " + max);
            return null;
        }
        return value;
    }

    public Boolean bool(JsonNode node, String field) {
        if (absent(node)) {
            return null;
        }
        if (!node.isBoolean()) {
            add(field, "must be true or false");
            return null;
        }
        return node.booleanValue();
    }

    /** An object member; null (and an error) when it is something else. */
    public JsonNode object(JsonNode node, String field) {
        if (absent(node)) {
            return null;
        }
        if (!node.isObject()) {
            add(field, "must be an object");
            return null;
        }
        return node;
    }

    public JsonNode array(JsonNode node, String field) {
        if (absent(node)) {
            return null;
        }
        if (!node.isArray()) {
            add(field, "must be an array");
            return null;
        }
        return node;
    }

    private static String strip(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
