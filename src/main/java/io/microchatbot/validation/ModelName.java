package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.service.LimitsConfig;

/**
 * A model name the provider could know: letters, digits and {@code . _ : / @ + -}, up to
 * {@code chatbot.limits.model-max-chars}. Absent is valid; so is anything but a string on a patch member, which
 * {@link BoundedText} reports.
 */
@Documented
@Constraint(validatedBy = { ModelName.OfString.class, ModelName.OfPatchMember.class })
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ModelName {

    String message() default "is not a model name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    @ApplicationScoped
    class OfString implements ConstraintValidator<ModelName, String> {

        private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@+-]+");

        /** Read when checking: validators are built at static init, before the run-time configuration exists. */
        private final Instance<LimitsConfig> config;

        OfString(Instance<LimitsConfig> config) {
            this.config = config;
        }

        @Override
        public boolean isValid(String model, ConstraintValidatorContext context) {
            int maxChars = config.get().modelMaxChars();
            if (model == null || model.length() <= maxChars && MODEL.matcher(model).matches()) {
                return true;
            }
            Violations.report(context, "must be 1-" + maxChars + " characters of letters, digits and . _ : / @ + -");
            return false;
        }
    }

    @ApplicationScoped
    class OfPatchMember implements ConstraintValidator<ModelName, JsonNode> {

        private final OfString names;

        OfPatchMember(OfString names) {
            this.names = names;
        }

        @Override
        public boolean isValid(JsonNode model, ConstraintValidatorContext context) {
            return model == null || !model.isTextual() || names.isValid(model.textValue(), context);
        }
    }
}
