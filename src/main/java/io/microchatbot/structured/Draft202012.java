package io.microchatbot.structured;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.resource.SchemaLoader;

/**
 * The JSON Schema library set up once: draft 2020-12 only, {@link EnglishMessages}, budgeted regular expressions, and no
 * schema loaded from anywhere but the library's own copy of the 2020-12 meta-schemas (on the class path). A
 * caller's {@code $ref} to a URL, a file or a {@code classpath:} resource fails instead of being fetched: nothing is
 * read over the network or from disk on a caller's behalf, and nothing blocks.
 */
final class Draft202012 {

    static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    private static final String META_SCHEMAS = "https://json-schema.org/draft/2020-12/";

    private final SchemaRegistry replies;
    private final Schema metaSchema;

    Draft202012() {
        SchemaLoader onlyMetaSchemas = SchemaLoader.builder()
                .allow(iri -> iri.toString().startsWith(META_SCHEMAS))
                .build();
        BudgetedRegularExpressions regexes = new BudgetedRegularExpressions();
        EnglishMessages messages = new EnglishMessages();
        // Replies: "format" stays an annotation, as 2020-12 says by default.
        replies = registry(onlyMetaSchemas, SchemaRegistryConfig.builder()
                .locale(Locale.ENGLISH)
                .messageSource(messages)
                .regularExpressionFactory(regexes)
                .build());
        // Schemas themselves: format assertions on, so that a "pattern" that is no regular expression is reported
        // here with the other mistakes rather than failing (and being logged) when compiled.
        SchemaRegistry schemas = registry(onlyMetaSchemas, SchemaRegistryConfig.builder()
                .locale(Locale.ENGLISH)
                .messageSource(messages)
                .regularExpressionFactory(regexes)
                .formatAssertionsEnabled(true)
                .build());
        metaSchema = schemas.getSchema(SchemaLocation.of(META_SCHEMA));
        metaSchema.initializeValidators();
    }

    private static SchemaRegistry registry(SchemaLoader loader, SchemaRegistryConfig config) {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaLoader(loader).schemaRegistryConfig(config));
    }

    /** What makes {@code schema} an invalid 2020-12 schema; empty when it is valid. */
    List<Error> metaSchemaErrors(JsonNode schema) {
        return metaSchema.validate(schema);
    }

    /**
     * A schema ready to validate with, its references resolved now (so that an unresolvable one fails here).
     * Throws the library's {@code SchemaException} when it cannot be compiled.
     */
    Schema compile(JsonNode schema) {
        // A copy, cheap and only on a cache miss: the compiled schema keeps the nodes it was built from, and a
        // caller's node may change later (2.0.8 reads keyword values at compile time, but need not always).
        Schema compiled = replies.getSchema(schema.deepCopy());
        compiled.initializeValidators();
        return compiled;
    }
}
