package io.microchatbot.rest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class StreamingTurnTest {

    private static final String TERMINALS = "message.completed|message.incomplete|error";
    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void streamFlagInTheBodyStreamsCreatedDeltasAndOneCompletedEventWithIncreasingIds() throws Exception {
        String user = newUser();
        String id = conversation(user);

        List<Event> events;
        try (SseClient sse = stream(user, id, null, "{\"content\":\"Tell me\",\"stream\":true}")) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
            events = sse.rest();
        }

        assertThat(events).extracting(Event::name).containsExactly("message.created", "message.delta",
                "message.delta", "message.delta", "message.delta", "message.delta", "message.completed");
        assertThat(events).extracting(Event::id).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(events.get(0).json().getString("content")).isEqualTo("Tell me");
        assertThat(events.get(0).json().getString("message_type")).isEqualTo("user");
        assertThat(events.subList(1, 6)).extracting(e -> e.json().getString("content"))
                .containsExactly("Hello", " from", " the", " fake", " model.");
        JsonObject completed = events.get(6).json();
        assertThat(completed.getJsonObject("message").getString("content")).isEqualTo("Hello from the fake model.");
        assertThat(completed.getJsonObject("message").getJsonObject("metadata").getString("status")).isEqualTo("complete");
        assertThat(completed.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(11);
        assertThat(completed.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);

        JsonObject sent = upstream.lastRequest().body();
        assertThat(sent.getBoolean("stream")).isTrue();
        assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();

        JsonPath stored = messages(user, id);
        assertThat(stored.getInt("total_count")).isEqualTo(2);
        assertThat(stored.getString("messages[1].id")).isEqualTo(completed.getJsonObject("message").getString("id"));
        assertThat(stored.getInt("messages[1].metadata.usage.total_tokens")).isEqualTo(16);
    }

    @Test
    void acceptEventStreamAloneStreams() throws Exception {
        String user = newUser();
        String id = conversation(user);
        try (SseClient sse = stream(user, id, "text/event-stream", "{\"content\":\"Tell me\"}")) {
            List<Event> events = sse.rest();
            assertThat(events.get(0).name()).isEqualTo("message.created");
            assertThat(events.get(events.size() - 1).name()).isEqualTo("message.completed");
        }
    }

    @Test
    void firstDeltaReachesTheCallerBeforeTheUpstreamHasFinished() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("early", " late").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            Event first = sse.next();
            assertThat(first.name()).isEqualTo("message.delta");
            assertThat(first.json().getString("content")).isEqualTo("early");
            assertThat(gate).isNotDone(); // the upstream is still holding the rest of its reply

            gate.complete(null);
            List<Event> rest = sse.rest();
            assertThat(rest).extracting(Event::name).containsExactly("message.delta", "message.completed");
        } finally {
            gate.complete(null);
        }
    }

    @Test
    void upstreamConnectionDyingMidStreamEndsWithIncompleteAndStoresThePartialReply() throws Exception {
        upstream.behave(UpstreamBehavior.reply("one", " two", " three", " four", " five").breakAfter(3));
        String user = newUser();
        String id = conversation(user);

        List<Event> events;
        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        assertThat(events).extracting(Event::name).containsExactly("message.created", "message.delta",
                "message.delta", "message.delta", "message.incomplete");
        assertThat(events).filteredOn(e -> e.name().matches(TERMINALS)).hasSize(1);
        JsonObject incomplete = events.get(4).json();
        assertThat(incomplete.getJsonObject("message").getString("content")).isEqualTo("one two three");
        assertThat(incomplete.getJsonObject("error").getString("code")).isEqualTo("llm_unavailable");

        JsonPath stored = messages(user, id);
        assertThat(stored.getString("messages[1].content")).isEqualTo("one two three");
        assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("incomplete");
    }

    @Test
    void streamStalledAfterTwoChunksIsStoredIncompleteAfterTheIdleTimeout() throws Exception {
        upstream.behave(UpstreamBehavior.reply("one", " two", " three").stallAfter(2));
        String user = newUser();
        String id = conversation(user);

        List<Event> events;
        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("message.incomplete");
        assertThat(last.json().getJsonObject("error").getString("code")).isEqualTo("llm_timeout");
        assertThat(messages(user, id).getString("messages[1].metadata.status")).isEqualTo("incomplete");
        assertThat(messages(user, id).getString("messages[1].content")).isEqualTo("one two");
    }

    @Test
    void replyStillTricklingInAfterTheStreamLimitIsCutAndStoredIncomplete() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
                .chunkDelay(Duration.ofMillis(600))); // never idle for the 1 s idle limit, 6 s in all > 3 s limit
        String user = newUser();
        String id = conversation(user);

        List<Event> events;
        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("message.incomplete");
        assertThat(last.json().getJsonObject("error").getString("code")).isEqualTo("llm_timeout");
        assertThat(last.json().getJsonObject("error").getString("detail")).contains("longer than 3 s");
        assertThat(events).extracting(Event::name).filteredOn("message.delta"::equals).hasSizeBetween(3, 7);
    }

    @Test
    void upstreamFailingBeforeAnyTokenEndsWithAnErrorEventAndAFailedReply() throws Exception {
        upstream.behave(UpstreamBehavior.status(502));
        String user = newUser();
        String id = conversation(user);

        List<Event> events;
        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        assertThat(events).extracting(Event::name).containsExactly("message.created", "error");
        JsonObject problem = events.get(1).json();
        assertThat(problem.getString("code")).isEqualTo("llm_unavailable");
        assertThat(problem.getInteger("status")).isEqualTo(503);
        assertThat(problem.getString("correlation_id")).isNotBlank();
        assertThat(messages(user, id).getString("messages[1].metadata.status")).isEqualTo("failed");
    }

    @Test
    void noFirstTokenWithinTheLimitEndsWithAnErrorEvent() throws Exception {
        upstream.behave(UpstreamBehavior.reply("never").stallAfter(0));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            List<Event> events = sse.rest();
            assertThat(events).extracting(Event::name).containsExactly("message.created", "error");
            assertThat(events.get(1).json().getString("code")).isEqualTo("llm_timeout");
        }
    }

    @Test
    void streamEndingWithoutDoneOrFinishReasonIsNeverASuccess() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b").breakAfter(2));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            List<Event> events = sse.rest();
            assertThat(events).extracting(Event::name).doesNotContain("message.completed");
            assertThat(events.get(events.size() - 1).name()).isEqualTo("message.incomplete");
        }
    }

    @Test
    void callerHangingUpMidStreamLeavesTheTurnRunningToItsStoredEnd() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("kept", " part", " and the rest").gateAfter(2, gate));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = stream(user, id, null, "{\"content\":\"go\",\"stream\":true}")) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            assertThat(sse.next().json().getString("content")).isEqualTo("kept");
            assertThat(sse.next().json().getString("content")).isEqualTo(" part");
        } // hangs up here

        // The turn runs on: the conversation stays busy, and says where the turn can be followed again.
        as(user).contentType("application/json").body("{\"content\":\"too soon\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(409)
                .header("Link", "</api/v1/conversations/" + id + "/turns/current/events>; rel=\"monitor\"")
                .body("code", equalTo("conversation_busy"))
                .body("turn_events", equalTo("/api/v1/conversations/" + id + "/turns/current/events"));
        gate.complete(null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath stored = messages(user, id);
            assertThat(stored.getInt("total_count")).isEqualTo(2);
            assertThat(stored.getString("messages[1].content")).isEqualTo("kept part and the rest");
            assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("complete");
        });
        as(user).contentType("application/json").body("{\"content\":\"again\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }

    @Test
    void problemsFoundBeforeTheStreamStartsAreOrdinaryProblemResponses() throws Exception {
        String user = newUser();
        try (SseClient sse = stream(user, java.util.UUID.randomUUID().toString(), null,
                "{\"content\":\"go\",\"stream\":true}")) {
            assertThat(sse.status()).isEqualTo(404);
            assertThat(sse.header("Content-Type")).startsWith("application/problem+json");
            assertThat(new JsonObject(sse.body()).getString("code")).isEqualTo("not_found");
        }
        String id = conversation(user);
        try (SseClient sse = stream(user, id, "text/event-stream", "{\"content\":\"\",\"stream\":true}")) {
            assertThat(sse.status()).isEqualTo(400);
            assertThat(new JsonObject(sse.body()).getString("code")).isEqualTo("validation_failed");
        }
        assertThat(messages(user, id).getInt("total_count")).isZero();
    }

    private static SseClient stream(String user, String conversationId, String accept, String body) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + conversationId + "/messages", user, accept,
                body);
    }

    private static JsonPath messages(String user, String id) {
        return as(user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(200).extract().jsonPath();
    }
}
