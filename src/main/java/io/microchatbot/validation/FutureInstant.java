package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/** An ISO-8601 instant ({@code 2027-01-31T00:00:00Z}) after now, or nothing. */
@Documented
@Constraint(validatedBy = FutureInstant.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface FutureInstant {

    String message() default "must be in the future";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<FutureInstant, String> {

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            try {
                return Instant.parse(value).isAfter(Instant.now());
            } catch (DateTimeParseException e) {
                Violations.report(context, "must be an ISO-8601 instant, e.g. 2027-01-31T00:00:00Z");
                return false;
            }
        }
    }
}
