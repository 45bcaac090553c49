package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.microchatbot.security.Scope;

/** An API key's scopes: one or more of chat, read, admin; each unknown one is its own error of the field. */
@Documented
@Constraint(validatedBy = ApiKeyScopes.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ApiKeyScopes {

    String message() default "is required: one or more of chat, read, admin";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<ApiKeyScopes, List<String>> {

        private static final List<String> KNOWN = Arrays.stream(Scope.values()).map(Scope::name).toList();

        @Override
        public boolean isValid(List<String> scopes, ConstraintValidatorContext context) {
            if (scopes == null || scopes.isEmpty()) {
                return false;
            }
            boolean valid = true;
            for (int i = 0; i < scopes.size(); i++) {
                String name = String.valueOf(scopes.get(i));
                if (!KNOWN.contains(name)) {
                    // Under the field's own name, in the order sent: one error per unknown scope.
                    Violations.reportMember(context, "scopes", i, "'" + name + "' is not one of chat, read, admin");
                    valid = false;
                }
            }
            return valid;
        }
    }
}
