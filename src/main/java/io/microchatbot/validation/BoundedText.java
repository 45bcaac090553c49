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

    /** Dependent: each use has its own rule, set by {@link #initialize}; the limit is read when checking. */
    abstract class Check<T> implements ConstraintValidator<BoundedText, T> {

        /** Read when checking: validators are built at static init, before the run-time configuration exists. */
        private final Instance<LimitsConfig> config;
        private BoundedText rule;

        Check(Instance<LimitsConfig> config) {
            this.config = config;
        }

        @Override
        public void initialize(BoundedText rule) {
            this.rule = rule;
        }

        @Override
        public boolean isValid(T value, ConstraintValidatorContext context) {
            String problem = problem(value, rule, rule.value().maxChars(config.get()));
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }

        /** What is wrong with {@code value}, or null. */
        abstract String problem(T value, BoundedText rule, int max);
    }

    @Dependent
    class OfString extends Check<String> {

        OfString(Instance<LimitsConfig> config) {
            super(config);
        }

        @Override
        String problem(String value, BoundedText rule, int max) {
            return text(value, rule, max);
        }

        static String text(String value, BoundedText rule, int max) {
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

    /** A member of a merge patch: absent or null (clears it) is fine, else it must be text within the limit. */
    @Dependent
    class OfPatchMember extends Check<JsonNode> {

        OfPatchMember(Instance<LimitsConfig> config) {
            super(config);
        }

        @Override
        String problem(JsonNode value, BoundedText rule, int max) {
            if (value == null || value.isNull()) {
                return null;
            }
            return value.isTextual() ? OfString.text(value.textValue(), rule, max) : "must be a string or null";
        }
    }
}
