package io.microchatbot.rest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;
import io.microchatbot.rest.api.CreateConversationRequest;
import io.microchatbot.rest.api.SendMessageRequest;
import io.microchatbot.service.ConversationChanges;
import io.microchatbot.service.NewConversation;
import io.microchatbot.service.UserInput;

/**
 * Checks every input against the documented limits before anything is stored, reporting all invalid fields at
 * once. Text may not hold NUL characters: PostgreSQL cannot store them.
 */
@ApplicationScoped
public class InputValidator {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@+-]+");
    private static final Set<String> PATCHABLE = Set.of("title", "system_prompt", "model", "metadata");

    private final ChatbotConfig.Limits limits;
    private final TokenCounter tokens;

    InputValidator(ChatbotConfig config, TokenCounter tokens) {
        this.limits = config.limits();
        this.tokens = tokens;
    }

    public NewConversation conversation(CreateConversationRequest body) {
        if (body == null) {
            return new NewConversation(null, null, null, null);
        }
        List<FieldError> errors = new ArrayList<>();
        text(errors, "title", body.title(), limits.titleMaxChars());
        text(errors, "system_prompt", body.systemPrompt(), limits.systemPromptMaxChars());
        model(errors, body.model());
        String metadata = metadata(errors, body.metadata());
        throwIfAny(errors);
        return new NewConversation(body.title(), body.systemPrompt(), body.model(), metadata);
    }

    /** A JSON merge-patch: absent fields stay, {@code null} clears, a value replaces. */
    public ConversationChanges changes(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            String field = it.next().getKey();
            if (!PATCHABLE.contains(field)) {
                errors.add(new FieldError(field, "is not a field of a conversation that can be changed"));
            }
        }
        Optional<String> title = patchText(errors, body, "title", limits.titleMaxChars());
        Optional<String> systemPrompt = patchText(errors, body, "system_prompt", limits.systemPromptMaxChars());
        Optional<String> model = patchText(errors, body, "model", limits.modelMaxChars());
        if (model != null) {
            model.ifPresent(m -> model(errors, m));
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            metadata(errors, metadata);
        }
        throwIfAny(errors);
        return new ConversationChanges(title, systemPrompt, model, metadata);
    }

    public UserInput message(SendMessageRequest body) {
        if (body == null) {
            throw ApiException.invalid("content", "is required");
        }
        List<FieldError> errors = new ArrayList<>();
        String content = body.content();
        if (content == null) {
            errors.add(new FieldError("content", "is required"));
        } else if (content.isBlank()) {
            errors.add(new FieldError("content", "must not be blank"));
        } else {
            text(errors, "content", content, limits.contentMaxChars());
        }
        String metadata = metadata(errors, body.metadata());
        throwIfAny(errors);
        return new UserInput(content, metadata == null ? "{}" : metadata, tokens.count(content));
    }

    public UUID id(String raw) {
        try {
            if (raw != null && raw.length() == 36) {
                return UUID.fromString(raw);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw ApiException.invalid("id", "must be a UUID");
    }

    public int limit(String raw) {
        if (raw == null || raw.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }

    /** {@code asc} (oldest first) or {@code desc}; the default is {@code asc}, reading order. */
    public boolean ascending(String order) {
        if (order == null || order.isEmpty() || order.equals("asc")) {
            return true;
        }
        if (order.equals("desc")) {
            return false;
        }
        throw ApiException.invalid("order", "must be asc or desc");
    }

    public String cursor(String raw) {
        return raw == null || raw.isEmpty() ? null : raw;
    }

    /** {@code null} when the field is absent (keep), empty when it is JSON null (clear), else the new value. */
    private Optional<String> patchText(List<FieldError> errors, JsonNode body, String field, int max) {
        if (!body.has(field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string or null"));
            return Optional.empty();
        }
        text(errors, field, value.textValue(), max);
        return Optional.of(value.textValue());
    }

    private void model(List<FieldError> errors, String model) {
        if (model == null) {
            return;
        }
        if (model.length() > limits.modelMaxChars() || !MODEL.matcher(model).matches()) {
            errors.add(new FieldError("model", "must be 1-" + limits.modelMaxChars()
                    + " characters of letters, digits and . _ : / @ + -"));
        }
    }

    private static void text(List<FieldError> errors, String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.codePointCount(0, value.length()) > max) {
            errors.add(new FieldError(field, "must be at most " + max + " characters"));
        } else if (value.indexOf('\u0000') >= 0) {
            errors.add(new FieldError(field, "must not contain NUL characters"));
        }
    }

    private String metadata(List<FieldError> errors, JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        if (!metadata.isObject()) {
            errors.add(new FieldError("metadata", "must be a JSON object"));
            return null;
        }
        String json = metadata.toString();
        if (json.getBytes(StandardCharsets.UTF_8).length > limits.metadataMaxBytes()) {
            errors.add(new FieldError("metadata", "must be at most " + limits.metadataMaxBytes() + " bytes of JSON"));
        } else if (json.contains("\\u0000")) {
            errors.add(new FieldError("metadata", "must not contain NUL characters"));
        }
        return json;
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
