package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/** A webhook's signing secret, when the caller picks it: 32-256 printable ASCII characters without spaces. */
@Documented
@Constraint(validatedBy = WebhookSecret.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface WebhookSecret {

    int MIN_CHARS = 32;
    int MAX_CHARS = 256;

    String message() default "is not a webhook secret";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<WebhookSecret, String> {

        @Override
        public boolean isValid(String secret, ConstraintValidatorContext context) {
            if (secret == null) {
                return true;
            }
            String problem = null;
            if (secret.length() < MIN_CHARS || secret.length() > MAX_CHARS) {
                problem = "must be " + MIN_CHARS + "-" + MAX_CHARS + " characters, or left out to have one generated";
            } else if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                problem = "must be printable ASCII characters without spaces";
            }
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }
    }
}
