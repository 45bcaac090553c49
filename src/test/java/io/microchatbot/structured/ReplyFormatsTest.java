package io.microchatbot.structured;

import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.problem.FieldError;

import static org.assertj.core.api.Assertions.assertThat;

class ReplyFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = """
            {"type":"object",
             "properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},
             "required":["name","age"],
             "additionalProperties":false}""";

    private final ReplyFormats formats = new ReplyFormats();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ResponseFormat schema(String name, String schema) {
        return new ResponseFormat(ResponseFormat.JSON_SCHEMA, name, schema == null ? null : json(schema), true);
    }

    private static final ResponseFormat JSON_OBJECT = new ResponseFormat(ResponseFormat.JSON_OBJECT, null, null, null);

    private List<FieldError> problems(ResponseFormat format) {
        return formats.formatProblems("response_format", format);
    }

    // --- formats given by callers

    @Test
    void textJsonObjectAndAValidSchemaAreAccepted() {
        assertThat(problems(null)).isEmpty();
        assertThat(problems(new ResponseFormat(ResponseFormat.TEXT, null, null, null))).isEmpty();
        assertThat(problems(JSON_OBJECT)).isEmpty();
        assertThat(problems(schema("person", PERSON))).isEmpty();
        assertThat(problems(schema("with_refs-2", """
                {"$schema":"https://json-schema.org/draft/2020-12/schema",
                 "$defs":{"tag":{"type":"string","pattern":"^[a-z]+$"}},
                 "type":"object","properties":{"tags":{"type":"array","items":{"$ref":"#/$defs/tag"}}}}"""))).isEmpty();
    }

    @Test
    void anUnknownOrMissingTypeIsReported() {
        assertThat(problems(new ResponseFormat("xml", null, null, null)))
                .containsExactly(new FieldError("response_format.type", "must be one of text, json_object, json_schema"));
        assertThat(problems(new ResponseFormat(null, null, null, null)))
                .containsExactly(new FieldError("response_format.type", "is required"));
    }

    @Test
    void aSchemaIsOnlyForJsonSchema() {
        assertThat(problems(new ResponseFormat(ResponseFormat.JSON_OBJECT, "person", json(PERSON), null)))
                .extracting(FieldError::field).containsExactly("response_format.json_schema");
    }

    @Test
    void theNameIsRequiredAndRestricted() {
        assertThat(problems(schema(null, PERSON))).extracting(FieldError::field)
                .containsExactly("response_format.json_schema.name");
        assertThat(problems(schema("has space", PERSON))).extracting(FieldError::field)
                .containsExactly("response_format.json_schema.name");
        assertThat(problems(schema("x".repeat(65), PERSON))).hasSize(1);
        assertThat(problems(schema("x".repeat(64), PERSON))).isEmpty();
        assertThat(problems(schema("", PERSON))).hasSize(1);
    }

    @Test
    void theSchemaMustBeAJsonObject() {
        assertThat(problems(schema("s", null)))
                .containsExactly(new FieldError("response_format.json_schema.schema", "is required"));
        assertThat(problems(schema("s", "[1,2]")))
                .containsExactly(new FieldError("response_format.json_schema.schema",
                        "must be a JSON object (a JSON Schema)"));
        assertThat(problems(schema("s", "true"))).hasSize(1);
    }

    @Test
    void anInvalidSchemaIsReportedWithWhatIsWrong() {
        assertThat(problems(schema("s", """
                {"type":"strnig"}"""))).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("response_format.json_schema.schema");
            assertThat(error.message()).startsWith("is not a valid JSON Schema (draft 2020-12): /type: ")
                    .contains("enumeration");
        });
        assertThat(problems(schema("s", """
                {"type":"object","required":"name"}"""))).singleElement()
                .extracting(FieldError::message).asString().contains("/required: string found, array expected");
        assertThat(problems(schema("s", """
                {"type":"object","properties":{"age":{"type":"integer","minimum":"zero"}}}"""))).singleElement()
                .extracting(FieldError::message).asString().contains("/properties/age/minimum");
        assertThat(problems(schema("s", """
                {"type":"string","pattern":"(("}"""))).singleElement()
                .extracting(FieldError::message).asString().contains("/pattern");
    }

    @Test
    void aSchemaOfAnotherDraftIsRefused() {
        assertThat(problems(schema("s", """
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""")))
                .singleElement().extracting(FieldError::message).asString().contains("draft 2020-12");
    }

    @Test
    void referencesOutsideTheSchemaAreNeitherFetchedNorRead() {
        assertThat(problems(schema("s", """
                {"$ref":"https://example.com/person.json"}"""))).singleElement()
                .extracting(FieldError::message).asString().startsWith("cannot be used: ").contains("not allowed");
        assertThat(problems(schema("s", """
                {"$ref":"classpath:draft/2020-12/schema"}"""))).hasSize(1);
        assertThat(problems(schema("s", """
                {"$ref":"#/$defs/missing"}"""))).singleElement()
                .extracting(FieldError::message).asString().startsWith("cannot be used: ");
    }

    @Test
    void anOversizedSchemaIsRefused() {
        ObjectNode big = JSON.createObjectNode().put("type", "object");
        ObjectNode properties = big.putObject("properties");
        for (int i = 0; properties.toString().length() <= CallerSchemas.MAX_BYTES; i++) {
            properties.putObject("property_" + i).put("type", "string").put("description", "x".repeat(100));
        }
        assertThat(formats.formatProblems("response_format",
                new ResponseFormat(ResponseFormat.JSON_SCHEMA, "big", big, null)))
                .containsExactly(new FieldError("response_format.json_schema.schema",
                        "must be at most 65536 bytes as JSON text"));
    }

    @Test
    void aTooDeeplyNestedSchemaIsRefused() {
        String deep = "{\"items\":".repeat(CallerSchemas.MAX_DEPTH) + "{}" + "}".repeat(CallerSchemas.MAX_DEPTH);
        assertThat(problems(schema("s", deep))).singleElement()
                .extracting(FieldError::message).asString().contains("nest deeper");
        String fine = "{\"items\":".repeat(CallerSchemas.MAX_DEPTH - 1) + "{}" + "}".repeat(CallerSchemas.MAX_DEPTH - 1);
        assertThat(problems(schema("s", fine))).isEmpty();
    }

    // --- tool parameters

    @Test
    void toolParametersAreChecked() {
        String field = "tools[0].function.parameters";
        assertThat(formats.parametersProblems(field, null)).isEmpty();
        assertThat(formats.parametersProblems(field, json(PERSON))).isEmpty();
        assertThat(formats.parametersProblems(field, json("{}"))).isEmpty();
        assertThat(formats.parametersProblems(field, json("{\"type\":\"strnig\"}")))
                .singleElement().extracting(FieldError::field).isEqualTo(field);
        assertThat(formats.parametersProblems(field, json("\"object\""))).hasSize(1);
        assertThat(formats.parametersProblems(field, json("{\"type\":\"string\"}")))
                .singleElement().extracting(FieldError::message).asString().contains("JSON object");
    }

    // --- replies

    @Test
    void anyTextWillDoWithoutAJsonFormat() {
        assertThat(formats.violation(null, "hello")).isEmpty();
        assertThat(formats.violation(new ResponseFormat(ResponseFormat.TEXT, null, null, null), "{")).isEmpty();
    }

    @Test
    void jsonObjectWantsExactlyOneObject() {
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":1}")).isEmpty();
        assertThat(formats.violation(JSON_OBJECT, "  \n{\"a\":[1,{}]}\n ")).isEmpty();
        assertThat(formats.violation(JSON_OBJECT, "Sure! {\"a\":1}")).get().asString().startsWith("reply is not JSON");
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":1}{\"b\":2}")).get().asString()
                .contains("more than one JSON value");
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":1} trailing")).isPresent();
        assertThat(formats.violation(JSON_OBJECT, "[{\"a\":1}]")).contains("reply is a JSON array, not a JSON object");
        assertThat(formats.violation(JSON_OBJECT, "\"text\"")).isPresent();
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":1,\"a\":2}")).get().asString().contains("Duplicate");
        assertThat(formats.violation(JSON_OBJECT, "")).contains("reply is empty, not JSON");
        assertThat(formats.violation(JSON_OBJECT, null)).isPresent();
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":1")).isPresent();
    }

    @Test
    void aFencedReplyIsNotBareJson() {
        assertThat(formats.violation(JSON_OBJECT, "```json\n{\"a\":1}\n```")).get().asString().contains("code fence");
    }

    @Test
    void jsonSchemaRepliesAreValidated() {
        ResponseFormat person = schema("person", PERSON);
        assertThat(formats.violation(person, "{\"name\":\"Ada\",\"age\":36}")).isEmpty();
        assertThat(formats.violation(person, "{\"name\":\"Ada\"}")).get().asString()
                .startsWith("reply does not match the schema: ").contains("required property 'age'");
        assertThat(formats.violation(person, "{\"name\":3,\"age\":36}")).get().asString()
                .contains("/name: integer found, string expected");
        assertThat(formats.violation(person, "{\"name\":\"Ada\",\"age\":36,\"extra\":true}")).get().asString()
                .contains("'extra'");
        assertThat(formats.violation(person, "{\"name\":\"Ada\",\"age\":-1}")).get().asString().contains("/age");
        assertThat(formats.violation(person, "not json")).get().asString().startsWith("reply is not JSON");
        assertThat(formats.violation(person, "{\"name\":\"Ada\",\"age\":36} {}")).get().asString()
                .contains("more than one");
    }

    @Test
    void reasonsAreShort() {
        StringBuilder properties = new StringBuilder();
        StringBuilder required = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            properties.append(i == 0 ? "" : ",").append("\"a_rather_long_property_name_").append(i)
                    .append("\":{\"type\":\"string\"}");
            required.append(i == 0 ? "" : ",").append("\"a_rather_long_property_name_").append(i).append('"');
        }
        ResponseFormat many = schema("many", "{\"type\":\"object\",\"properties\":{" + properties
                + "},\"required\":[" + required + "]}");
        assertThat(formats.violation(many, "{}")).get().asString().hasSizeLessThanOrEqualTo(Reasons.MAX_CHARS);
        assertThat(formats.violation(JSON_OBJECT, "{\"a\":\"" + "x".repeat(2000))).get().asString()
                .hasSizeLessThanOrEqualTo(Reasons.MAX_CHARS);
    }

    @Test
    void aCatastrophicPatternStopsWithinItsBudget() {
        ResponseFormat evil = schema("evil", """
                {"type":"object","properties":{"s":{"type":"string","pattern":"(.*a){12}$"}}}""");
        assertThat(problems(evil)).isEmpty();
        assertThat(formats.violation(evil, "{\"s\":\"" + "a".repeat(28) + "!\"}")).get().asString()
                .contains("took too long");
        assertThat(formats.violation(evil, "{\"s\":\"" + "a".repeat(12) + "\"}")).isEmpty();
    }

    @Test
    void allMatchesOfOneReplyShareTheBudget() {
        // Each string fails the pattern after about 15,000 reads and passes the other branch: one is fine, two
        // hundred together are not.
        ResponseFormat slow = schema("slow", """
                {"type":"array","items":{"type":"string","anyOf":[{"pattern":"(x+x+)+y"},{"maxLength":100}]}}""");
        String item = "\"" + "x".repeat(28) + "!\"";
        assertThat(formats.violation(slow, "[" + item + "]")).isEmpty();
        assertThat(formats.violation(slow, "[" + String.join(",", Collections.nCopies(200, item)) + "]"))
                .get().asString().contains("took too long");
    }

    @Test
    void reasonsAreEnglishWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMAN);
        try {
            assertThat(new ReplyFormats().violation(schema("person", PERSON), "{\"name\":\"Ada\"}")).get().asString()
                    .contains("required property 'age' not found");
        } finally {
            Locale.setDefault(before);
        }
    }

    // --- tool call arguments

    @Test
    void argumentsMustBeOneJsonObject() {
        assertThat(formats.argumentsViolation("{\"city\":\"Paris\"}")).isEmpty();
        assertThat(formats.argumentsViolation(" {} ")).isEmpty();
        assertThat(formats.argumentsViolation("city=Paris")).get().asString().startsWith("arguments are not JSON");
        assertThat(formats.argumentsViolation("[]")).contains("arguments are a JSON array, not a JSON object");
        assertThat(formats.argumentsViolation("{}{}")).isPresent();
        assertThat(formats.argumentsViolation("")).isPresent();
    }

    // --- compiled schemas

    @Test
    void aSchemaIsCompiledOncePerText() {
        ResponseFormat person = schema("person", PERSON);
        assertThat(problems(person)).isEmpty();
        assertThat(formats.violation(person, "{\"name\":\"Ada\",\"age\":36}")).isEmpty();
        assertThat(formats.violation(schema("again", PERSON), "{\"name\":\"Ada\"}")).isPresent();
        assertThat(formats.compilations()).isEqualTo(1);

        assertThat(formats.violation(schema("other", "{\"type\":\"object\",\"required\":[\"x\"]}"), "{}")).isPresent();
        assertThat(formats.compilations()).isEqualTo(2);
    }

    @Test
    void theLeastRecentlyUsedSchemaIsEvicted() {
        ReplyFormats two = new ReplyFormats(2, Long.MAX_VALUE);
        ResponseFormat a = schema("a", "{\"required\":[\"a\"]}");
        ResponseFormat b = schema("b", "{\"required\":[\"b\"]}");
        ResponseFormat c = schema("c", "{\"required\":[\"c\"]}");
        two.violation(a, "{}");
        two.violation(b, "{}");
        two.violation(a, "{}");
        two.violation(c, "{}"); // evicts b, the least recently used
        assertThat(two.compilations()).isEqualTo(3);
        two.violation(a, "{}");
        assertThat(two.compilations()).isEqualTo(3);
        two.violation(b, "{}");
        assertThat(two.compilations()).isEqualTo(4);
    }

    @Test
    void aChangedNodeDoesNotChangeTheCachedSchema() {
        ObjectNode node = (ObjectNode) json("{\"type\":\"object\",\"required\":[\"a\"]}");
        ResponseFormat format = new ResponseFormat(ResponseFormat.JSON_SCHEMA, "s", node, null);
        assertThat(formats.violation(format, "{}")).isPresent();
        node.putArray("required").add("b");
        assertThat(formats.violation(new ResponseFormat(ResponseFormat.JSON_SCHEMA, "s",
                json("{\"type\":\"object\",\"required\":[\"a\"]}"), null), "{\"a\":1}")).isEmpty();
    }
}
