package io.microchatbot.rest;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/** With one repair attempt configured, a JSON turn whose reply misses its format asks the model once more. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@TestProfile(StructuredRepairTest.OneRepair.class)
class StructuredRepairTest {

    public static class OneRepair implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chatbot.structured-output.repair-attempts", "1");
        }
    }

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aRepairedReplyIsStoredCompleteAndTheModelWasToldWhatWasWrong() {
        String user = newUser();
        String id = conversation(user);
        upstream.script(UpstreamBehavior.reply("Sure: 42"), UpstreamBehavior.reply("{\"answer\": 42}"));

        as(user).contentType(ContentType.JSON)
                .body(Map.of("content", "json please", "response_format", Map.of("type", "json_object")))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201)
                .body("assistant_message.content", equalTo("{\"answer\": 42}"))
                .body("assistant_message.metadata.status", equalTo("complete"))
                .body("assistant_message.metadata.attempts", is(2));

        assertThat(upstream.received()).hasSize(2);
        JsonArray again = upstream.lastRequest().body().getJsonArray("messages");
        JsonObject refused = again.getJsonObject(again.size() - 2);
        assertThat(refused.getString("role")).isEqualTo("assistant");
        assertThat(refused.getString("content")).isEqualTo("Sure: 42");
        assertThat(again.getJsonObject(again.size() - 1).getString("content")).contains("response_format");
        // Only the answer is stored; the refused attempt is not a message.
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(2));
    }

    @Test
    void aReplyStillInvalidAfterItsRepairIsStoredInvalid() {
        String user = newUser();
        String id = conversation(user);
        upstream.script(UpstreamBehavior.reply("no"), UpstreamBehavior.reply("still no"));

        as(user).contentType(ContentType.JSON)
                .body(Map.of("content", "json please", "response_format", Map.of("type", "json_object")))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(502)
                .body("code", equalTo("llm_invalid_output"));
        assertThat(upstream.received()).hasSize(2);
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("messages[1].content", equalTo("still no"))
                .body("messages[1].metadata.status", equalTo("invalid"));
    }
}
