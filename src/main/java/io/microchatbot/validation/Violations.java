package io.microchatbot.validation;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;

/**
 * Constraint violations as the field errors of a validation_failed problem. A field is named as on the wire
 * (snake_case, the one naming strategy of the API records), an element of a list by its index
 * ({@code event_types[1]}), a member the record does not declare by its own name (the unknown members of a
 * patch). Errors come in the order of the record's fields, then of the elements, then of the constraints' names,
 * so that the answer does not depend on the order of a hash set.
 */
public final class Violations {

    private static final PropertyNamingStrategies.NamingBase WIRE_NAMES = new PropertyNamingStrategies.SnakeCaseStrategy();

    private Violations() {
    }

    public static ApiException problem(Collection<? extends ConstraintViolation<?>> violations) {
        List<FieldError> errors = violations.stream()
                .sorted(Comparator.<ConstraintViolation<?>> comparingInt(Violations::fieldPosition)
                        .thenComparingInt(Violations::elementPosition)
                        .thenComparing(v -> v.getConstraintDescriptor().getAnnotation().annotationType()
                                .getSimpleName()))
                .map(v -> new FieldError(field(v), v.getMessage()))
                .toList();
        return ApiException.invalid(errors);
    }

    /** Reports {@code message}, taken literally (never as a template), as the violation of the checked value. */
    static void report(ConstraintValidatorContext context, String message) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(literal(message)).addConstraintViolation();
    }

    /** Reports {@code message} as the violation of the list element at {@code index}. */
    static void reportElement(ConstraintValidatorContext context, int index, String message) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(literal(message))
                .addBeanNode().inIterable().atIndex(index)
                .addConstraintViolation();
    }

    /**
     * Reports {@code message} as the violation of the member {@code name} of the checked object, at {@code position}
     * in it: a member the record does not declare, reported under its own name.
     */
    static void reportMember(ConstraintValidatorContext context, String name, int position, String message) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(literal(message))
                .addPropertyNode(name).inIterable().atIndex(position)
                .addConstraintViolation();
    }

    private static String literal(String message) {
        return message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }

    private static String field(ConstraintViolation<?> violation) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PROPERTY && node.isInIterable()) {
                return node.getName();
            }
            if (node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getKind() == ElementKind.PROPERTY) {
                field.append(field.isEmpty() ? "" : ".").append(WIRE_NAMES.translate(node.getName()));
            }
        }
        return field.toString();
    }

    private static int fieldPosition(ConstraintViolation<?> violation) {
        RecordComponent[] components = violation.getRootBeanClass().getRecordComponents();
        if (components == null) {
            return 0;
        }
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PROPERTY) {
                List<String> names = Arrays.stream(components).map(RecordComponent::getName).toList();
                return names.indexOf(node.getName());
            }
        }
        return 0;
    }

    /** An element's or a member's position; after them (last), the errors of the whole field. */
    private static int elementPosition(ConstraintViolation<?> violation) {
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getIndex() != null) {
                return node.getIndex();
            }
        }
        return Integer.MAX_VALUE;
    }
}
