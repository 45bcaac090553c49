package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.service.LimitsConfig;

/**
 * Text of at most the limit's number of characters (code points), without NUL characters, which PostgreSQL cannot
 * store. Absent (null) is valid unless {@link #required()}. On a patch member ({@link JsonNode}), JSON null is valid
 * (it clears the field) and anything but a string is not.
 */
@Documented
@Constraint(validatedBy = { BoundedText.OfString.class, BoundedText.OfPatchMember.class })
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface BoundedText {

    Limit value();

    boolean required() default false;

    /** Whether text of white space only is refused. */
    boolean notBlank() default false;

    String message() default "is not valid text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Dependent: each use has its own limit, set by {@link #initialize}. */
    @Dependent
    class OfString implements ConstraintValidator<BoundedText, String> {

        /** Read when checking: validators are built at static init, before the run-time configuration exists. */
        private final Instance<LimitsConfig> config;
        private BoundedText rule;

        OfString(Instance<LimitsConfig> config) {
            this.config = config;
        }

        @Override
        public void initialize(BoundedText rule) {
            this.rule = rule;
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String problem = problem(rule, rule.value().maxChars(config.get()), value);
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }

        static String problem(BoundedText rule, int max, String value) {
            if (value == null) {
                return rule.required() ? "is required" : null;
            }
            if (rule.notBlank() && value.isBlank()) {
                return "must not be blank";
            }
            if (value.codePointCount(0, value.length()) > max) {
                return "must be at most " + max + " characters";
            }
            if (value.indexOf('\u0000') >= 0) {
                return "must not contain NUL characters";
            }
            return null;
        }
    }

    @Dependent
    class OfPatchMember implements ConstraintValidator<BoundedText, JsonNode> {

        /** Read when checking: validators are built at static init, before the run-time configuration exists. */
        private final Instance<LimitsConfig> config;
        private BoundedText rule;

        OfPatchMember(Instance<LimitsConfig> config) {
            this.config = config;
        }

        @Override
        public void initialize(BoundedText rule) {
            this.rule = rule;
        }

        @Override
        public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
            if (value == null || value.isNull()) {
                return true;
            }
            String problem = value.isTextual()
                    ? OfString.problem(rule, rule.value().maxChars(config.get()), value.textValue())
                    : "must be a string or null";
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }
    }
}
