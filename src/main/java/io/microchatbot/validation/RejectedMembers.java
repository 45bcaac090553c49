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

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * On the object that collects the members a record does not declare ({@code @JsonAnySetter}, an object rather than
 * a map to keep their order): each of them is an error under its own name, with {@link #reason()}.
 */
@Documented
@Constraint(validatedBy = RejectedMembers.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RejectedMembers {

    String reason();

    String message() default "are not fields of this request";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<RejectedMembers, ObjectNode> {

        private String reason;

        @Override
        public void initialize(RejectedMembers rule) {
            this.reason = rule.reason();
        }

        @Override
        public boolean isValid(ObjectNode members, ConstraintValidatorContext context) {
            if (members == null || members.isEmpty()) {
                return true;
            }
            int position = 0;
            for (var member : members.properties()) {
                Violations.reportMember(context, member.getKey(), position++, reason);
            }
            return false;
        }
    }
}
