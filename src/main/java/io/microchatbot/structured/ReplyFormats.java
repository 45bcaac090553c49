package io.microchatbot.structured;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.problem.FieldError;
import io.microchatbot.structured.BudgetedRegularExpressions.RegexBudgetExceeded;
import io.microchatbot.structured.StrictJson.NotJson;
import io.microchatbot.structured.StrictJson.Value;

/**
 * Structured output: checks the response formats and tool parameter schemas callers give before anything is
 * stored, and the model's replies and tool call arguments against them. Schemas are JSON Schema draft 2020-12.
 * <p>
 * Everything here is cheap enough for the event loop: schemas are bounded ({@link CallerSchemas#MAX_BYTES}, nesting
 * depth), compiled once and cached, never fetch anything, and their regular expressions run on a budget; a reply is
 * bounded by the model's output tokens. {@code strict} is the provider's business: the check here is always full.
 */
@ApplicationScoped
public class ReplyFormats {

    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    /** A few hundred schemas (conversations reuse theirs), and at most 8 Mi characters of schema text in all. */
    static final int CACHED_SCHEMAS = 256;
    static final long CACHED_CHARS = 8L * 1024 * 1024;

    private final CompiledSchemas compiled;
    private final CallerSchemas schemas;

    public ReplyFormats() {
        this(CACHED_SCHEMAS, CACHED_CHARS);
    }

    ReplyFormats(int cachedSchemas, long cachedChars) {
        compiled = new CompiledSchemas(cachedSchemas, cachedChars);
        schemas = new CallerSchemas(new Draft202012(), compiled);
    }

    /**
     * What is wrong with a caller-given response format; empty when it is usable (or absent). Fields are named
     * under {@code field} as the API spells them: {@code field.type}, {@code field.json_schema.name},
     * {@code field.json_schema.schema}.
     */
    public List<FieldError> formatProblems(String field, ResponseFormat format) {
        if (format == null) {
            return List.of();
        }
        String type = format.type();
        if (type == null) {
            return List.of(new FieldError(field + ".type", "is required"));
        }
        List<FieldError> problems = new ArrayList<>();
        switch (type) {
            case ResponseFormat.TEXT, ResponseFormat.JSON_OBJECT -> {
                if (format.name() != null || format.schema() != null || format.strict() != null) {
                    problems.add(new FieldError(field + ".json_schema", "is allowed only when type is json_schema"));
                }
            }
            case ResponseFormat.JSON_SCHEMA -> {
                String jsonSchema = field + ".json_schema";
                if (format.name() == null) {
                    problems.add(new FieldError(jsonSchema + ".name", "is required when type is json_schema"));
                } else if (!NAME.matcher(format.name()).matches()) {
                    problems.add(new FieldError(jsonSchema + ".name",
                            "must be 1-64 letters, digits, underscores or hyphens"));
                }
                schemas.problem(format.schema())
                        .ifPresent(problem -> problems.add(new FieldError(jsonSchema + ".schema", problem)));
            }
            default -> problems.add(new FieldError(field + ".type", "must be one of text, json_object, json_schema"));
        }
        return problems;
    }

    /**
     * What is wrong with a tool's {@code parameters}; empty when they are usable or absent (a tool without
     * parameters). They must be a JSON Schema describing an object, since arguments always are one: a {@code type},
     * if given, must be {@code "object"}.
     */
    public List<FieldError> parametersProblems(String field, JsonNode parameters) {
        if (parameters == null || parameters.isNull() || parameters.isMissingNode()) {
            return List.of();
        }
        Optional<String> problem = schemas.problem(parameters);
        if (problem.isEmpty() && parameters.has("type") && !"object".equals(parameters.get("type").asText(null))) {
            problem = Optional.of("must describe a JSON object (type \"object\"): tool arguments are always one");
        }
        return problem.map(message -> List.of(new FieldError(field, message))).orElse(List.of());
    }

    /**
     * Why the model's {@code reply} does not take the shape {@code format} asks for; empty when it does, or when
     * any text will do. The reason is short and human-readable (at most {@link Reasons#MAX_CHARS} characters).
     */
    public Optional<String> violation(ResponseFormat format, String reply) {
        if (format == null || format.type() == null || ResponseFormat.TEXT.equals(format.type())) {
            return Optional.empty();
        }
        return switch (format.type()) {
            case ResponseFormat.JSON_OBJECT -> notJson(StrictJson.parseObject(StrictJson.Subject.REPLY, reply));
            case ResponseFormat.JSON_SCHEMA -> switch (StrictJson.parse(StrictJson.Subject.REPLY, reply)) {
                case NotJson notJson -> Optional.of(Reasons.capped(notJson.reason()));
                case Value value -> schemaViolation(format.schema(), value.node());
            };
            default -> throw new IllegalArgumentException("Unknown response format type " + format.type());
        };
    }

    /** Why a tool call's {@code arguments} are not one JSON object; empty when they are. */
    public Optional<String> argumentsViolation(String arguments) {
        return notJson(StrictJson.parseObject(StrictJson.Subject.ARGUMENTS, arguments));
    }

    private Optional<String> schemaViolation(JsonNode schema, JsonNode reply) {
        if (schema == null || !schema.isObject()) {
            return Optional.of("the response format has no schema to check the reply against");
        }
        try {
            Schema compiledSchema = schemas.compiled(schema);
            List<Error> errors = BudgetedRegularExpressions.sharingOneBudget(() -> compiledSchema.validate(reply));
            return errors.isEmpty() ? Optional.empty()
                    : Optional.of(Reasons.capped("reply does not match the schema: " + Reasons.of(errors)));
        } catch (RegexBudgetExceeded e) {
            return Optional.of(Reasons.capped("reply could not be checked against the schema: " + e.getMessage()));
        } catch (SchemaException e) {
            // Not reached for schemas that passed formatProblems; a reply cannot be judged by an unusable schema.
            return Optional.of(Reasons.capped("the schema cannot be used: " + e.getMessage()));
        }
    }

    private static Optional<String> notJson(StrictJson.Parsed parsed) {
        return parsed instanceof NotJson notJson ? Optional.of(Reasons.capped(notJson.reason())) : Optional.empty();
    }

    /** How many schemas were compiled so far (tests: cached ones are not compiled again). */
    int compilations() {
        return compiled.compilations();
    }
}
