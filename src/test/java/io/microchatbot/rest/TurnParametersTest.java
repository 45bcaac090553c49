package io.microchatbot.rest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** Per-turn generation parameters and response formats: what reaches the provider, what is stored, what is refused. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class TurnParametersTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void parametersReachTheProviderAndAreStoredWithTheReply() {
        String user = newUser();
        String id = conversation(user);

        send(user, id, Map.of("content", "hi", "model", "fake-model-2", "temperature", 0.2, "top_p", 0.9,
                "max_tokens", 50, "stop", List.of("END"), "seed", 42, "user", "end-user-7"))
                .then().statusCode(201)
                .body("assistant_message.metadata.parameters.model", equalTo("fake-model-2"))
                .body("assistant_message.metadata.parameters.temperature", equalTo(0.2f))
                .body("assistant_message.metadata.parameters.top_p", equalTo(0.9f))
                .body("assistant_message.metadata.parameters.max_tokens", is(50))
                .body("assistant_message.metadata.parameters.stop", equalTo(List.of("END")))
                .body("assistant_message.metadata.parameters.seed", is(42))
                .body("assistant_message.metadata.parameters.user", equalTo("end-user-7"));

        JsonObject sent = upstream.lastRequest().body();
        assertThat(sent.getString("model")).isEqualTo("fake-model-2");
        assertThat(sent.getDouble("temperature")).isEqualTo(0.2);
        assertThat(sent.getDouble("top_p")).isEqualTo(0.9);
        assertThat(sent.getInteger("max_tokens")).isEqualTo(50);
        assertThat(sent.getJsonArray("stop").getList()).containsExactly("END");
        assertThat(sent.getLong("seed")).isEqualTo(42L);
        assertThat(sent.getString("user")).isEqualTo("end-user-7");

        send(user, id, Map.of("content", "again")).then().statusCode(201)
                .body("assistant_message.metadata.parameters", nullValue());
        JsonObject defaults = upstream.lastRequest().body();
        assertThat(defaults.getString("model")).isEqualTo(FakeLlmServer.MODEL);
        assertThat(defaults.fieldNames()).doesNotContain("top_p", "stop", "seed", "user", "response_format");
    }

    @Test
    void badParametersAreRefusedWithEachFieldNamedAndNothingStored() {
        String user = newUser();
        String id = conversation(user);
        send(user, id, Map.of("content", "hi", "temperature", 2.5, "top_p", -0.1, "max_tokens", 0,
                "stop", List.of("a", "b", "c", "d", "e"), "model", "no spaces allowed"))
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItems("temperature", "top_p", "max_tokens", "stop", "model"));
        send(user, id, Map.of("content", "hi", "max_tokens", 1_000_000))
                .then().statusCode(400).body("errors.field", hasItem("max_tokens"));
        send(user, id, Map.of("content", "hi", "seed", "not a number"))
                .then().statusCode(400);
        // PostgreSQL stores no NUL: refused before the provider is paid, not when the reply is written.
        send(user, id, Map.of("content", "hi", "stop", List.of("a\u0000b"), "user", "u\u0000"))
                .then().statusCode(400).body("errors.field", hasItems("stop", "user"));
        send(user, id, Map.of("content", "hi", "tools", List.of(Map.of("type", "function", "function",
                Map.of("name", "f", "description", "nul\u0000")))))
                .then().statusCode(400).body("errors.field", hasItem("tools"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aModelOffTheTenantsAllowListIsRefusedBeforeAnythingIsStored() throws Exception {
        String user = newUser();
        String id = conversation(as("models-restricted", user), Map.of());
        as("models-restricted", user).contentType(ContentType.JSON).body(Map.of("content", "hi", "model", "gpt-5"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("model_not_allowed"))
                .body("errors[0].field", equalTo("model"));
        as("models-restricted", user).contentType(ContentType.JSON).body(Map.of("model", "gpt-5"))
                .post("/api/v1/conversations")
                .then().statusCode(400)
                .body("code", equalTo("model_not_allowed"));
        as("models-restricted", user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
        assertThat(upstream.received()).isEmpty();

        as("models-restricted", user).contentType(ContentType.JSON).body(Map.of("content", "hi", "model", "fake-model-2"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
        // A conversation whose model was set before the list changed: a turn naming no model runs on it, so it is
        // checked too.
        io.microchatbot.testing.Sql.execute("update conversations set model = 'gpt-5' where id = '" + id + "'");
        as("models-restricted", user).contentType(ContentType.JSON).body(Map.of("content", "plain"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400)
                .body("code", equalTo("model_not_allowed"))
                .body("detail", containsString("gpt-5"));
        as("models-restricted", user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(2));
        // Other tenants are not restricted.
        String other = newUser();
        send(other, conversation(other), Map.of("content", "hi", "model", "gpt-5")).then().statusCode(201);
    }

    @Test
    void aJsonObjectFormatIsPassedOnAndAReplyThatIsNotJsonIsStoredInvalid() {
        String user = newUser();
        String id = conversation(user);
        upstream.script(UpstreamBehavior.reply("{\"answer\":", " 42}"), UpstreamBehavior.reply("Sure! ", "42"));

        send(user, id, Map.of("content", "json please", "response_format", Map.of("type", "json_object")))
                .then().statusCode(201)
                .body("assistant_message.content", equalTo("{\"answer\": 42}"))
                .body("assistant_message.metadata.status", equalTo("complete"));
        assertThat(upstream.lastRequest().body().getJsonObject("response_format").getString("type"))
                .isEqualTo("json_object");

        send(user, id, Map.of("content", "json again", "response_format", Map.of("type", "json_object")))
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("code", equalTo("llm_invalid_output"));
        as(user).get("/api/v1/conversations/{id}/messages?order=desc&limit=1", id).then()
                .body("messages[0].content", equalTo("Sure! 42"))
                .body("messages[0].metadata.status", equalTo("invalid"))
                .body("messages[0].metadata.error.code", equalTo("llm_invalid_output"));
    }

    @Test
    void aJsonSchemaFormatIsSentAsOpenAiDefinesIt() {
        String user = newUser();
        Map<String, Object> format = Map.of("type", "json_schema", "json_schema", Map.of("name", "answer",
                "strict", true, "schema", Map.of("type", "object", "properties",
                        Map.of("answer", Map.of("type", "integer")), "required", List.of("answer"),
                        "additionalProperties", false)));
        String id = conversation(as(user), Map.of("response_format", format));
        upstream.script(UpstreamBehavior.reply("{\"answer\": 42}"));

        send(user, id, Map.of("content", "json please")).then().statusCode(201)
                .body("assistant_message.metadata.status", equalTo("complete"));
        JsonObject sent = upstream.lastRequest().body().getJsonObject("response_format");
        assertThat(sent.getString("type")).isEqualTo("json_schema");
        assertThat(sent.getJsonObject("json_schema").getString("name")).isEqualTo("answer");
        assertThat(sent.getJsonObject("json_schema").getBoolean("strict")).isTrue();
        assertThat(sent.getJsonObject("json_schema").getJsonObject("schema").getJsonArray("required").getList())
                .containsExactly("answer");
    }

    @Test
    void aReplyThatBreaksTheSchemaIsStoredInvalidAndStreamsEndWithMessageInvalid() throws Exception {
        String user = newUser();
        Map<String, Object> format = Map.of("type", "json_schema", "json_schema", Map.of("name", "answer",
                "schema", Map.of("type", "object", "properties", Map.of("answer", Map.of("type", "integer")),
                        "required", List.of("answer"))));
        String id = conversation(as(user), Map.of("response_format", format));
        upstream.script(UpstreamBehavior.reply("{\"answer\": \"forty-two\"}"),
                UpstreamBehavior.reply("{\"answer\":", " \"no\"}"));

        send(user, id, Map.of("content", "json please")).then().statusCode(502)
                .body("code", equalTo("llm_invalid_output"))
                .body("detail", containsString("/answer"));

        List<SseClient.Event> events;
        try (var stream = SseClient.post(RestAssured.port,
                "/api/v1/conversations/" + id + "/messages", user, "text/event-stream", "{\"content\": \"again\"}")) {
            events = stream.rest();
        }
        var last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("message.invalid");
        assertThat(last.json().getJsonObject("message").getJsonObject("metadata").getString("status"))
                .isEqualTo("invalid");
        assertThat(last.json().getJsonObject("error").getString("code")).isEqualTo("llm_invalid_output");
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("messages.metadata.status", equalTo(Arrays.asList(null, "invalid", null, "invalid")));
    }

    @Test
    void aRepairAttemptIsNotMadeByDefault() {
        String user = newUser();
        String id = conversation(user);
        upstream.script(UpstreamBehavior.reply("not json"), UpstreamBehavior.reply("{}"));
        send(user, id, Map.of("content", "hi", "response_format", Map.of("type", "json_object")))
                .then().statusCode(502);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aMalformedResponseFormatIsRefused() {
        String user = newUser();
        String id = conversation(user);
        send(user, id, Map.of("content", "hi", "response_format", "json"))
                .then().statusCode(400).body("errors.field", hasItem("response_format"));
        send(user, id, Map.of("content", "hi", "response_format", Map.of("type", "json_schema", "json_schema",
                Map.of("name", "no_schema"))))
                .then().statusCode(400).body("errors.field", hasItem("response_format.json_schema.schema"));
        send(user, id, Map.of("content", "hi", "response_format", Map.of("type", "json_schema", "json_schema",
                Map.of("name", "x", "schema", Map.of("type", "strnig")))))
                .then().statusCode(400).body("errors.field", hasItem("response_format.json_schema.schema"));
        send(user, id, Map.of("content", "hi", "tools", List.of(Map.of("type", "function", "function",
                Map.of("name", "f", "parameters", Map.of("type", "object", "properties", Map.of("a",
                        Map.of("type", 7))))))))
                .then().statusCode(400).body("errors.field", hasItem("tools[0].function.parameters"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
    }

    private static Response send(String user, String id, Map<String, Object> body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/api/v1/conversations/{id}/messages", id);
    }
}
