package io.microchatbot.openai;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.openai.OpenAiCalls.COMPLETIONS;
import static io.microchatbot.openai.OpenAiCalls.as;
import static io.microchatbot.openai.OpenAiCalls.body;
import static io.microchatbot.openai.OpenAiCalls.usageOf;
import static io.microchatbot.openai.OpenAiCalls.user;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Invalid chat completion requests: each a 400 validation_failed problem naming the field, with OpenAI's error member
 * (its param the field), answered before the provider is called and without a usage row.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class OpenAiValidationTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    static Stream<Arguments> invalidRequests() {
        JsonObject call = new JsonObject().put("id", "call_1").put("type", "function")
                .put("function", new JsonObject().put("name", "lookup").put("arguments", "{}"));
        JsonObject assistant = new JsonObject().put("role", "assistant").putNull("content")
                .put("tool_calls", new JsonArray().add(call));
        return Stream.of(
                Arguments.of("no model", body("Hi").put("model", (String) null), "model"),
                Arguments.of("model not a name", body("Hi").put("model", "no spaces please"), "model"),
                Arguments.of("no messages", body("Hi").put("messages", (JsonArray) null), "messages"),
                Arguments.of("empty messages", body("Hi").put("messages", new JsonArray()), "messages"),
                Arguments.of("unknown role", body("Hi").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "robot").put("content", "x"))), "messages[0].role"),
                Arguments.of("user without content", body("Hi").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "user"))), "messages[0].content"),
                Arguments.of("content of the wrong type", body("Hi").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "user").put("content", 42))), "messages[0].content"),
                Arguments.of("an image part", body("Hi").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                                .add(new JsonObject().put("type", "image_url"))))),
                        "messages[0].content[0].type"),
                Arguments.of("tool message without id", body("Hi").put("messages", new JsonArray()
                        .add(user("Hi")).add(assistant)
                        .add(new JsonObject().put("role", "tool").put("content", "42"))), "messages[2].tool_call_id"),
                Arguments.of("tool message answering no call", body("Hi").put("messages", new JsonArray()
                        .add(user("Hi")).add(assistant).add(new JsonObject().put("role", "tool")
                                .put("tool_call_id", "call_other").put("content", "42"))),
                        "messages[2].tool_call_id"),
                Arguments.of("tool answer before its call", body("Hi").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "42"))
                        .add(assistant)), "messages[0].tool_call_id"),
                Arguments.of("arguments that are not JSON", body("Hi").put("messages", new JsonArray().add(user("Hi"))
                        .add(new JsonObject().put("role", "assistant").put("tool_calls", new JsonArray()
                                .add(call.copy().put("function", new JsonObject().put("name", "lookup")
                                        .put("arguments", "{not json")))))),
                        "messages[1].tool_calls[0].function.arguments"),
                Arguments.of("tool calls on a user message", body("Hi").put("messages", new JsonArray()
                        .add(user("Hi").put("tool_calls", new JsonArray().add(call)))), "messages[0].tool_calls"),
                Arguments.of("temperature above 2", body("Hi").put("temperature", 2.5), "temperature"),
                Arguments.of("temperature as text", body("Hi").put("temperature", "hot"), "temperature"),
                Arguments.of("top_p above 1", body("Hi").put("top_p", 1.5), "top_p"),
                Arguments.of("max_tokens of 0", body("Hi").put("max_tokens", 0), "max_tokens"),
                Arguments.of("max_tokens above the cap", body("Hi").put("max_tokens", 1025), "max_tokens"),
                Arguments.of("max_completion_tokens not whole", body("Hi").put("max_completion_tokens", 1.5),
                        "max_completion_tokens"),
                Arguments.of("five stop sequences", body("Hi").put("stop", new JsonArray().add("a").add("b").add("c")
                        .add("d").add("e")), "stop"),
                Arguments.of("a stop that is not text", body("Hi").put("stop", new JsonArray().add(1)), "stop[0]"),
                Arguments.of("two choices", body("Hi").put("n", 2), "n"),
                Arguments.of("stream not a boolean", body("Hi").put("stream", "yes"), "stream"),
                Arguments.of("a tool name with a space", body("Hi").put("tools", new JsonArray().add(tool("get weather"))),
                        "tools[0].function.name"),
                Arguments.of("a tool name of 65 characters", body("Hi").put("tools", new JsonArray()
                        .add(tool("x".repeat(65)))), "tools[0].function.name"),
                Arguments.of("two tools of one name", body("Hi").put("tools", new JsonArray().add(tool("a"))
                        .add(tool("a"))), "tools[1].function.name"),
                Arguments.of("a tool choice naming no tool", body("Hi").put("tools", new JsonArray().add(tool("a")))
                        .put("tool_choice", new JsonObject().put("type", "function")
                                .put("function", new JsonObject().put("name", "b"))),
                        "tool_choice.function.name"),
                Arguments.of("an unknown tool choice", body("Hi").put("tool_choice", "sometimes"), "tool_choice"),
                Arguments.of("an unknown response format", body("Hi").put("response_format",
                        new JsonObject().put("type", "yaml")), "response_format.type"),
                Arguments.of("a json_schema without its schema", body("Hi").put("response_format",
                        new JsonObject().put("type", "json_schema")), "response_format.json_schema"),
                Arguments.of("a schema name with a dot", body("Hi").put("response_format",
                        new JsonObject().put("type", "json_schema").put("json_schema",
                                new JsonObject().put("name", "a.b"))),
                        "response_format.json_schema.name"),
                Arguments.of("a schema that is not a JSON Schema", body("Hi").put("response_format",
                        new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject()
                                .put("name", "a").put("schema", new JsonObject().put("type", "strnig")))),
                        "response_format.json_schema.schema"),
                Arguments.of("tool parameters that are not a JSON Schema", body("Hi").put("tools", new JsonArray()
                        .add(new JsonObject().put("type", "function").put("function", new JsonObject()
                                .put("name", "f").put("parameters", new JsonObject().put("type", "object")
                                        .put("required", "city"))))),
                        "tools[0].function.parameters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void anInvalidRequestIs400NamingTheFieldAndReachesNothing(String what, JsonObject request, String field)
            throws Exception {
        String user = newUser();
        as(user).body(request.encode()).post(COMPLETIONS).then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem(field))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("validation_failed"))
                .log().ifValidationFails();
        assertThat(upstream.received()).isEmpty();
        assertThat(usageOf(user)).isEmpty();
    }

    @Test
    void everyInvalidFieldIsReportedAtOnceAndTheFirstIsOpenAisParam() {
        as(newUser()).body(body("Hi").put("temperature", 3).put("top_p", -1).put("n", 3).encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .body("errors.field", equalTo(java.util.List.of("temperature", "top_p", "n")))
                .body("error.param", equalTo("temperature"));
    }

    @Test
    void malformedJsonAndANonObjectBodyAreInvalidJsonWithTheErrorMember() {
        as(newUser()).body("{\"model\": ").post(COMPLETIONS).then().statusCode(400)
                .body("code", equalTo("invalid_json")).body("error.code", equalTo("invalid_json"));
        as(newUser()).body("[1, 2]").post(COMPLETIONS).then().statusCode(400)
                .body("code", equalTo("invalid_json")).body("error.code", equalTo("invalid_json"));
        as(newUser()).body("{\"model\": \"a\", \"model\": \"b\", \"messages\": []}").post(COMPLETIONS).then()
                .statusCode(400).body("code", equalTo("invalid_json"));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aPromptThatCannotFitTheWindowIsRefusedBeforeTheProvider() {
        as(newUser()).body(body("word ".repeat(9000)).encode()).post(COMPLETIONS).then().statusCode(400)
                .body("code", equalTo("context_window_exceeded"))
                .body("error.type", equalTo("invalid_request_error"));
        assertThat(upstream.received()).isEmpty();
    }

    private static JsonObject tool(String name) {
        return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name));
    }
}
