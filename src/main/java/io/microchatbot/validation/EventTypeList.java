package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.microchatbot.webhook.EventTypes;

/**
 * The event types of a webhook: required, at least one, each known and named once, or {@code ["*"]} alone for all
 * of them. Each bad entry is reported under its index.
 */
@Documented
@Constraint(validatedBy = EventTypeList.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface EventTypeList {

    String message() default "is not a list of event types";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<EventTypeList, List<String>> {

        private static final String KNOWN_TYPES = String.join(", ", new TreeSet<>(EventTypes.KNOWN));

        @Override
        public boolean isValid(List<String> types, ConstraintValidatorContext context) {
            if (types == null) {
                Violations.report(context, "is required");
                return false;
            }
            if (types.isEmpty()) {
                Violations.report(context, "must name at least one event type, or be [\"*\"] for all of them");
                return false;
            }
            boolean valid = true;
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < types.size(); i++) {
                String type = types.get(i);
                if (type == null || !(EventTypes.KNOWN.contains(type) || type.equals(EventTypes.ALL))) {
                    Violations.reportElement(context, i, "is not an event type; use one of " + KNOWN_TYPES + ", or "
                            + EventTypes.ALL + " for all of them");
                    valid = false;
                } else if (!seen.add(type)) {
                    Violations.reportElement(context, i, "repeats " + type);
                    valid = false;
                }
            }
            if (types.contains(EventTypes.ALL) && types.size() > 1) {
                Violations.report(context, EventTypes.ALL + " must be the only entry when present");
                valid = false;
            }
            return valid;
        }
    }
}
