package io.microchatbot.rest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class ChatTurnTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void answeredCallsKeepTheirConnectionToTheProviderForTheNextTurn() {
        String user = newUser();
        String id = conversation(as(user), Map.of());
        as(user).contentType(ContentType.JSON).body(Map.of("content", "warm up"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
        int opened = upstream.connectionsOpened();

        for (int i = 0; i < 5; i++) {
            as(user).contentType(ContentType.JSON).body(Map.of("content", "turn " + i))
                    .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
        }

        // Sequential calls reuse the pooled connection; before the fix each answered call reset (closed) it.
        assertThat(upstream.connectionsOpened()).isEqualTo(opened);
    }

    @Test
    void turnStoresBothMessagesAndReturnsTheReplyWithUsage() throws Exception {
        String user = newUser();
        String id = conversation(as(user), Map.of("system_prompt", "You are terse."));

        JsonPath turn = as(user).contentType(ContentType.JSON)
                .body(Map.of("content", "Hi there", "metadata", Map.of("client", "web")))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201)
                .header("Location", matchesPattern("http://[^/]+/api/v1/conversations/" + id + "/messages/[0-9a-f-]{36}"))
                .body("user_message.content", equalTo("Hi there"))
                .body("user_message.message_type", equalTo("user"))
                .body("user_message.metadata.client", equalTo("web"))
                .body("assistant_message.content", equalTo("Hello from the fake model."))
                .body("assistant_message.message_type", equalTo("assistant"))
                .body("assistant_message.metadata.status", equalTo("complete"))
                .body("assistant_message.metadata.provider", equalTo("openai-compatible"))
                .body("assistant_message.metadata.finish_reason", equalTo("stop"))
                .body("assistant_message.metadata.latency_ms", notNullValue())
                .body("usage.prompt_tokens", is(11))
                .body("usage.completion_tokens", is(5))
                .body("usage.total_tokens", is(16))
                .body("model", equalTo(FakeLlmServer.MODEL))
                .extract().jsonPath();

        FakeLlmServer.Received request = upstream.lastRequest();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isEqualTo("Bearer " + FakeLlmResource.API_KEY);
        assertThat(request.headers()).containsEntry("HTTP-Referer", FakeLlmResource.REFERER)
                .containsEntry("X-Title", FakeLlmResource.APP_TITLE)
                .containsEntry("Content-Type", "application/json");
        assertThat(request.body().getBoolean("stream")).isFalse();
        assertThat(request.body().getString("model")).isEqualTo(FakeLlmServer.MODEL);
        assertThat(request.body().getJsonArray("messages").encode())
                .isEqualTo(
                        "[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Hi there\"}]");

        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200)
                .body("total_count", is(2))
                .body("messages.id", equalTo(List.of(turn.getString("user_message.id"),
                        turn.getString("assistant_message.id"))));
        as(user).get("/api/v1/conversations/{id}/messages/{m}", id,
                turn.getString("assistant_message.id"))
                .then().statusCode(200)
                .body("content", equalTo("Hello from the fake model."))
                .body("metadata.attempts", is(1));
        // stored as jsonb objects, queryable in SQL
        assertThat(Sql.text("select metadata->>'client' from messages where id = '" + turn.getString("user_message.id") + "'"))
                .isEqualTo("web");
        assertThat(Sql.text("select metadata->>'status' from messages where id = '"
                + turn.getString("assistant_message.id") + "'")).isEqualTo("complete");
    }

    @Test
    void nextTurnSendsTheHistoryAndThePerConversationModel() {
        String user = newUser();
        String id = conversation(as(user), Map.of("model", "override/model-x"));
        io.microchatbot.testing.Api.turn(user, id, "first question");
        io.microchatbot.testing.Api.turn(user, id, "second question");

        var messages = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(messages.size()).isEqualTo(3);
        assertThat(messages.getJsonObject(0).getString("content")).isEqualTo("first question");
        assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("assistant");
        assertThat(messages.getJsonObject(2).getString("content")).isEqualTo("second question");
        assertThat(upstream.lastRequest().body().getString("model")).isEqualTo("override/model-x");
    }

    @Test
    void upstreamRateLimitBecomes429ProblemWithRetryAfterAndAFailedReplyIsStored() {
        upstream.behave(UpstreamBehavior.status(429).retryAfter("7"));
        String user = newUser();
        String id = conversation(user);

        as(user).contentType(ContentType.JSON).body(Map.of("content", "hello?"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "7")
                .body("code", equalTo("llm_rate_limited"))
                .body("correlation_id", notNullValue())
                .body("detail", not(containsString("sk-")));

        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200)
                .body("total_count", is(2))
                .body("messages[0].content", equalTo("hello?"))
                .body("messages[1].message_type", equalTo("assistant"))
                .body("messages[1].content", equalTo(""))
                .body("messages[1].metadata.status", equalTo("failed"))
                .body("messages[1].metadata.error.code", equalTo("llm_rate_limited"));
    }

    @Test
    void upstreamServerErrorBecomes503LlmUnavailable() {
        upstream.behave(UpstreamBehavior.status(500));
        String user = newUser();
        String id = conversation(user);

        as(user).contentType(ContentType.JSON).body(Map.of("content", "hello?"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(503)
                .header("Retry-After", matchesPattern("\\d+"))
                .body("code", equalTo("llm_unavailable"));
    }

    @Test
    void upstreamGarbageBecomes502LlmBadResponse() {
        upstream.behave(UpstreamBehavior.garbage("<html>oops</html>"));
        String user = newUser();
        String id = conversation(user);

        as(user).contentType(ContentType.JSON).body(Map.of("content", "hello?"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(502)
                .body("code", equalTo("llm_bad_response"));
        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body("messages[1].metadata.status", equalTo("failed"));
    }

    @Test
    void upstreamSlowerThanTheTimeoutBecomes504LlmTimeout() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofSeconds(4)));
        String user = newUser();
        String id = conversation(user);

        as(user).contentType(ContentType.JSON).body(Map.of("content", "hello?"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(504)
                .body("code", equalTo("llm_timeout"));
        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body("messages[1].metadata.error.code", equalTo("llm_timeout"));
    }

    @Test
    void conversationIsUsableAgainAfterAFailedTurn() {
        upstream.behave(UpstreamBehavior.status(503));
        String user = newUser();
        String id = conversation(user);
        as(user).contentType(ContentType.JSON).body(Map.of("content", "one"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(503);

        upstream.reset();
        as(user).contentType(ContentType.JSON).body(Map.of("content", "two"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }
}
