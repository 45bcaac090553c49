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

/** An API key's name: not blank, at most 100 characters (UTF-16 units, as String.length counts). */
@Documented
@Constraint(validatedBy = ApiKeyName.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ApiKeyName {

    int MAX_CHARS = 100;

    String message() default "is required, 1-100 characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<ApiKeyName, String> {

        @Override
        public boolean isValid(String name, ConstraintValidatorContext context) {
            return name != null && !name.isBlank() && name.length() <= MAX_CHARS;
        }
    }
}
