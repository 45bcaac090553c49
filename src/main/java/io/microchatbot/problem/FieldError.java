package io.microchatbot.problem;

/** One invalid input field of a validation problem. */
public record FieldError(String field, String message) {
}
