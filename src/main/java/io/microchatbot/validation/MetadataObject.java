package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.service.LimitsConfig;

/**
 * Metadata: a JSON object of at most {@code chatbot.limits.metadata-max-bytes} bytes, without NUL characters.
 * Absent and JSON null are valid.
 */
@Documented
@Constraint(validatedBy = MetadataObject.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface MetadataObject {

    String message() default "is not valid metadata";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    @ApplicationScoped
    class Check implements ConstraintValidator<MetadataObject, JsonNode> {

        /** Read when checking: validators are built at static init, before the run-time configuration exists. */
        private final Instance<LimitsConfig> config;

        Check(Instance<LimitsConfig> config) {
            this.config = config;
        }

        @Override
        public boolean isValid(JsonNode metadata, ConstraintValidatorContext context) {
            String problem = metadata == null || metadata.isNull() ? null
                    : problem(metadata, config.get().metadataMaxBytes());
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }

        private static String problem(JsonNode metadata, int maxBytes) {
            if (!metadata.isObject()) {
                return "must be a JSON object";
            }
            String json = metadata.toString();
            if (json.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
                return "must be at most " + maxBytes + " bytes of JSON";
            }
            if (json.contains("\\u0000")) {
                return "must not contain NUL characters";
            }
            return null;
        }
    }
}
