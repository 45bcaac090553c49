package io.microchatbot.structured;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;

import io.microchatbot.structured.BudgetedRegularExpressions.RegexBudgetExceeded;

/**
 * Schemas given by callers (a response format's, a tool's parameters): what is wrong with one, and its compiled
 * form, cached by its JSON text.
 */
final class CallerSchemas {

    /**
     * At most 64 KiB as compact JSON text. Compiling and validating cost grows with the schema, and both run on the
     * event loop of a turn; 64 KiB is well above what providers accept for structured output (OpenAI caps a schema's
     * properties, nesting and enum values far below it) and keeps every cached entry small.
     */
    static final int MAX_BYTES = 64 * 1024;
    /** JSON nesting; the library compiles recursively, and OpenAI allows 10 levels of schema nesting. */
    static final int MAX_DEPTH = 64;

    private final Draft202012 library;
    private final CompiledSchemas compiled;

    CallerSchemas(Draft202012 library, CompiledSchemas compiled) {
        this.library = library;
        this.compiled = compiled;
    }

    /** Why {@code schema} cannot be used; empty when it can (it is then compiled and cached). */
    Optional<String> problem(JsonNode schema) {
        if (schema == null || schema.isNull() || schema.isMissingNode()) {
            return Optional.of("is required");
        }
        if (!schema.isObject()) {
            return Optional.of("must be a JSON object (a JSON Schema)");
        }
        String text = text(schema);
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("must be at most " + MAX_BYTES + " bytes as JSON text");
        }
        if (deeperThan(schema, MAX_DEPTH)) {
            return Optional.of("must not nest deeper than " + MAX_DEPTH + " levels");
        }
        JsonNode dialect = schema.get("$schema");
        if (dialect != null && !Draft202012.META_SCHEMA.equals(dialect.asText())) {
            return Optional.of("must be a draft 2020-12 schema ($schema absent or " + Draft202012.META_SCHEMA + ")");
        }
        try {
            List<Error> errors = library.metaSchemaErrors(schema);
            if (!errors.isEmpty()) {
                return Optional.of(Reasons.capped("is not a valid JSON Schema (draft 2020-12): " + Reasons.of(errors)));
            }
            compiled.get(text, () -> library.compile(schema));
            return Optional.empty();
        } catch (SchemaException | RegexBudgetExceeded e) {
            return Optional.of(Reasons.capped("cannot be used: " + e.getMessage()));
        }
    }

    /** The compiled schema (cached); throws {@link SchemaException} if it cannot be compiled. */
    Schema compiled(JsonNode schema) {
        return compiled.get(text(schema), () -> library.compile(schema));
    }

    private static String text(JsonNode schema) {
        try {
            return StrictJson.MAPPER.writeValueAsString(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree could not be written as JSON", e);
        }
    }

    private static boolean deeperThan(JsonNode node, int levels) {
        if (!node.isContainerNode()) {
            return false;
        }
        if (levels == 0) {
            return true;
        }
        for (JsonNode child : node) {
            if (deeperThan(child, levels - 1)) {
                return true;
            }
        }
        return false;
    }
}
