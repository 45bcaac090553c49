package io.microchatbot.validation;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import io.microchatbot.problem.ApiException;

/**
 * Checks a request against the constraints on its record before anything is stored, for every way in: REST,
 * commands, and whatever comes next. All invalid fields are reported at once, as one 400 validation_failed.
 */
@ApplicationScoped
public class Validation {

    private final Validator validator;

    Validation(Validator validator) {
        this.validator = validator;
    }

    /** The request itself when it is valid; else an {@link ApiException} naming each invalid field. */
    public <T> T valid(T request) {
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw Violations.problem(violations);
        }
        return request;
    }
}
