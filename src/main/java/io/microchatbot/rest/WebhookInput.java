package io.microchatbot.rest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;
import io.microchatbot.rest.api.CreateWebhookRequest;
import io.microchatbot.webhook.EventTypes;
import io.microchatbot.webhook.NewWebhook;

/**
 * Checks a webhook registration before anything is resolved or stored, reporting all invalid fields at once. Whether
 * the URL's host may be reached is the service's check ({@code WebhookTargets}), which needs the network.
 */
@ApplicationScoped
public class WebhookInput {

    static final int URL_MAX_CHARS = 2048;
    static final int SECRET_MIN_CHARS = 32;
    static final int SECRET_MAX_CHARS = 256;
    static final int DESCRIPTION_MAX_CHARS = 500;
    private static final Set<String> SCHEMES = Set.of("http", "https");
    private static final String KNOWN_TYPES = String.join(", ", new TreeSet<>(EventTypes.KNOWN));

    public NewWebhook webhook(CreateWebhookRequest body) {
        if (body == null) {
            throw ApiException.invalid(List.of(new FieldError("url", "is required"),
                    new FieldError("event_types", "is required")));
        }
        List<FieldError> errors = new ArrayList<>();
        URI url = url(errors, body.url());
        eventTypes(errors, body.eventTypes());
        secret(errors, body.secret());
        description(errors, body.description());
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new NewWebhook(url, List.copyOf(body.eventTypes()), Optional.ofNullable(body.secret()),
                body.description());
    }

    private static URI url(List<FieldError> errors, String raw) {
        String problem = null;
        URI url = null;
        if (raw == null) {
            problem = "is required";
        } else if (raw.length() > URL_MAX_CHARS) {
            problem = "must be at most " + URL_MAX_CHARS + " characters";
        } else {
            try {
                url = new URI(raw);
                problem = urlProblem(url);
            } catch (URISyntaxException e) {
                problem = "must be an absolute http or https URL";
            }
        }
        if (problem != null) {
            errors.add(new FieldError("url", problem));
        }
        return url;
    }

    private static String urlProblem(URI url) {
        if (!url.isAbsolute() || !SCHEMES.contains(url.getScheme().toLowerCase(Locale.ROOT))) {
            return "must be an absolute http or https URL";
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

    private static void eventTypes(List<FieldError> errors, List<String> types) {
        if (types == null || types.isEmpty()) {
            errors.add(new FieldError("event_types", types == null ? "is required"
                    : "must name at least one event type, or be [\"*\"] for all of them"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            if (type == null || !(EventTypes.KNOWN.contains(type) || type.equals(EventTypes.ALL))) {
                errors.add(new FieldError("event_types[" + i + "]", "is not an event type; use one of " + KNOWN_TYPES
                        + ", or " + EventTypes.ALL + " for all of them"));
            } else if (!seen.add(type)) {
                errors.add(new FieldError("event_types[" + i + "]", "repeats " + type));
            }
        }
        if (types.contains(EventTypes.ALL) && types.size() > 1) {
            errors.add(new FieldError("event_types", EventTypes.ALL + " must be the only entry when present"));
        }
    }

    private static void secret(List<FieldError> errors, String secret) {
        if (secret == null) {
            return;
        }
        if (secret.length() < SECRET_MIN_CHARS || secret.length() > SECRET_MAX_CHARS) {
            errors.add(new FieldError("secret", "must be " + SECRET_MIN_CHARS + "-" + SECRET_MAX_CHARS
                    + " characters, or left out to have one generated"));
        } else if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            errors.add(new FieldError("secret", "must be printable ASCII characters without spaces"));
        }
    }

    private static void description(List<FieldError> errors, String description) {
        if (description == null) {
            return;
        }
        if (description.codePointCount(0, description.length()) > DESCRIPTION_MAX_CHARS) {
            errors.add(new FieldError("description", "must be at most " + DESCRIPTION_MAX_CHARS + " characters"));
        } else if (description.indexOf('\u0000') >= 0) {
            errors.add(new FieldError("description", "must not contain NUL characters"));
        }
    }
}
