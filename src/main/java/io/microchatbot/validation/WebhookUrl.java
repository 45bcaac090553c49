package io.microchatbot.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A webhook's URL: required, absolute http or https with a host, no credentials, a port in range, no fragment.
 * Whether the host may be reached is the webhook service's check ({@code WebhookTargets}), which needs the network.
 */
@Documented
@Constraint(validatedBy = WebhookUrl.Check.class)
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface WebhookUrl {

    int MAX_CHARS = 2048;

    String message() default "is not a webhook URL";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<WebhookUrl, String> {

        private static final Set<String> SCHEMES = Set.of("http", "https");
        private static final String NOT_HTTP = "must be an absolute http or https URL";

        @Override
        public boolean isValid(String url, ConstraintValidatorContext context) {
            String problem = problem(url);
            if (problem != null) {
                Violations.report(context, problem);
            }
            return problem == null;
        }

        private static String problem(String raw) {
            if (raw == null) {
                return "is required";
            }
            if (raw.length() > MAX_CHARS) {
                return "must be at most " + MAX_CHARS + " characters";
            }
            URI url;
            try {
                url = new URI(raw);
            } catch (URISyntaxException e) {
                return NOT_HTTP;
            }
            if (!url.isAbsolute() || !SCHEMES.contains(url.getScheme().toLowerCase(Locale.ROOT))) {
                return NOT_HTTP;
            }
            if (url.getHost() == null) {
                return "must name a host";
            }
            if (url.getRawUserInfo() != null) {
                return "must not contain credentials";
            }
            if (url.getPort() == 0 || url.getPort() > 65535) {
                return "has a port outside 1-65535";
            }
            if (url.getRawFragment() != null) {
                return "must not have a fragment";
            }
            return null;
        }
    }
}
