package io.microchatbot.rest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Following a turn again (GET …/turns/{current|messageId}/events with Last-Event-ID) and cancelling one (POST
 * …/turns/{messageId}/cancel), on one instance; TwoReplicaTurnsIT does both from another instance.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class TurnFollowTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void reset() {
        upstream.reset();
        RedisProxyResource.restoreForTheNextTest();
    }

    @Test
    void aCallerWhoLostTheStreamFollowsTheTurnFromItsLastEventIdToTheEnd() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("kept", " part", " and", " the rest").gateAfter(2, gate));
        String user = newUser();
        String id = conversation(user);
        String userMessage;
        try (SseClient sse = stream(user, id, "{\"content\":\"go\",\"stream\":true}")) {
            Event created = sse.next();
            userMessage = created.json().getString("id");
            assertThat(sse.next().id()).isEqualTo("2");
            assertThat(sse.next().id()).isEqualTo("3");
        } // the caller pod went away after event 3

        try (SseClient follow = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", "2")) {
            assertThat(follow.status()).isEqualTo(200);
            assertThat(follow.header("Content-Type")).startsWith("text/event-stream");
            Event missed = follow.next();
            assertThat(missed.id()).isEqualTo("3");
            assertThat(missed.json().getString("content")).isEqualTo(" part");
            gate.complete(null);
            List<Event> rest = follow.rest();
            assertThat(rest).extracting(Event::id).containsExactly("4", "5", "6");
            assertThat(rest).extracting(Event::name).containsExactly("message.delta", "message.delta",
                    "message.completed");
            assertThat(rest.get(2).json().getJsonObject("message").getString("content"))
                    .isEqualTo("kept part and the rest");
        } finally {
            gate.complete(null);
        }

        // Ended: the same events again, by the turn's message id, from the start or from any id.
        try (SseClient replay = follow(user, events(id, userMessage), null)) {
            List<Event> all = replay.rest();
            assertThat(all).extracting(Event::id).containsExactly("1", "2", "3", "4", "5", "6");
            assertThat(all.get(0).name()).isEqualTo("message.created");
            assertThat(all.get(5).name()).isEqualTo("message.completed");
        }
        try (SseClient replay = follow(user, events(id, userMessage), "5")) {
            assertThat(replay.rest()).extracting(Event::id).containsExactly("6");
        }
    }

    @Test
    void anEndedTurnWhoseEventsExpiredIsReplayedFromTheStoredOutcome() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String userMessage;
        try (SseClient sse = stream(user, id, "{\"content\":\"go\",\"stream\":true}")) {
            List<Event> events = sse.rest();
            userMessage = events.get(0).json().getString("id");
            assertThat(events.get(events.size() - 1).name()).isEqualTo("message.completed");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> RedisKeys.command(Command.EXISTS,
                "chatbot:turn:{" + userMessage + "}:events").toInteger() == 1);
        RedisKeys.command(Command.DEL, "chatbot:turn:{" + userMessage + "}:events");

        try (SseClient replay = follow(user, events(id, userMessage), null)) {
            List<Event> all = replay.rest();
            assertThat(all).extracting(Event::name).containsExactly("message.created", "message.completed");
            assertThat(all).extracting(Event::id).containsExactly("1", "2");
            assertThat(all.get(1).json().getJsonObject("message").getString("content"))
                    .isEqualTo("Hello from the fake model.");
        }
        // A caller who saw events up to 7 gets the outcome, numbered after them; no input again.
        try (SseClient replay = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", "7")) {
            List<Event> all = replay.rest();
            assertThat(all).extracting(Event::name).containsExactly("message.completed");
            assertThat(all).extracting(Event::id).containsExactly("8");
        }
    }

    @Test
    void aWholeReplyTurnIsFollowedToo() throws Exception {
        upstream.behave(UpstreamBehavior.reply("slow", " whole").latency(Duration.ofMillis(1500)));
        String user = newUser();
        String id = conversation(user);
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> as(user)
                .contentType("application/json").body("{\"content\":\"wait\"}")
                .post("/api/v1/conversations/{id}/messages", id));
        awaitBusy(user, id);

        try (SseClient follow = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", null)) {
            List<Event> all = follow.rest();
            assertThat(all).extracting(Event::name).containsExactly("message.created", "message.completed");
            assertThat(all.get(1).json().getJsonObject("message").getString("content")).isEqualTo("slow whole");
        }
        assertThat(answer.get().statusCode()).isEqualTo(201);
    }

    @Test
    void cancellingAStreamedTurnStoresItsPartialReplyAndEndsEveryStreamOfIt() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("half", " of it", " never").gateAfter(2, never));
        String user = newUser();
        String id = conversation(user);
        try (SseClient sse = stream(user, id, "{\"content\":\"go\",\"stream\":true}");
                SseClient follower = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", null)) {
            String userMessage = sse.next().json().getString("id");
            sse.next();
            sse.next();
            int answering = upstream.answeringNow(); // this turn's call, and any an earlier test left gated
            assertThat(answering).isPositive();

            JsonPath cancelled = as(user).post("/api/v1/conversations/{id}/turns/{m}/cancel", id, userMessage)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(cancelled.getString("status")).isEqualTo("settled");
            assertThat(cancelled.getString("message.content")).isEqualTo("half of it");
            assertThat(cancelled.getString("message.metadata.status")).isEqualTo("incomplete");
            assertThat(cancelled.getString("message.metadata.error.code")).isEqualTo("cancelled");

            List<Event> rest = sse.rest();
            assertThat(rest).extracting(Event::name).containsExactly("message.incomplete");
            assertThat(rest.get(0).json().getJsonObject("error").getString("code")).isEqualTo("cancelled");
            List<Event> followed = follower.rest();
            assertThat(followed.get(followed.size() - 1).name()).isEqualTo("message.incomplete");
            assertThat(followed.get(followed.size() - 1).json().getJsonObject("message").getString("content"))
                    .isEqualTo("half of it");
            // The provider call was cancelled, and the conversation is free at once.
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.answeringNow() <= answering - 1);
            upstream.reset();
            as(user).contentType("application/json").body("{\"content\":\"next\"}")
                    .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
            // Cancelling it again: it has ended.
            as(user).post("/api/v1/conversations/{id}/turns/{m}/cancel", id, userMessage).then().statusCode(409)
                    .body("code", equalTo("turn_not_running"));
        } finally {
            never.complete(null);
        }
    }

    @Test
    void cancellingAWholeReplyTurnAnswersItsCallerWithTheCancelledProblem() throws Exception {
        upstream.behave(UpstreamBehavior.reply("too", " late").latency(Duration.ofSeconds(20)));
        String user = newUser();
        String id = conversation(user);
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> as(user)
                .contentType("application/json").body("{\"content\":\"wait\"}")
                .post("/api/v1/conversations/{id}/messages", id));
        String userMessage = awaitBusy(user, id);

        as(user).post("/api/v1/conversations/{id}/turns/{m}/cancel", id, userMessage).then().statusCode(200)
                .body("message.metadata.status", equalTo("incomplete"))
                .body("message.metadata.error.code", equalTo("cancelled"))
                .body("message.content", equalTo(""));
        Response answered = answer.get();
        assertThat(answered.statusCode()).isEqualTo(409);
        assertThat(answered.jsonPath().getString("code")).isEqualTo("cancelled");
        JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath();
        assertThat(stored.getInt("total_count")).isEqualTo(2);
        assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("incomplete");
    }

    @Test
    void turnsThatAreNotTheCallersOrNotTurnsAreNotFoundAndBadIdsAreRefused() throws Exception {
        String user = newUser();
        String id = conversation(user);
        as(user).get("/api/v1/conversations/{id}/turns/current/events", id).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
        String userMessage;
        try (SseClient sse = stream(user, id, "{\"content\":\"go\",\"stream\":true}")) {
            List<Event> events = sse.rest();
            userMessage = events.get(0).json().getString("id");
            String reply = events.get(events.size() - 1).json().getJsonObject("message").getString("id");
            // A reply names no turn.
            as(user).get("/api/v1/conversations/{id}/turns/{m}/events", id, reply).then().statusCode(404);
        }
        String stranger = newUser();
        as(stranger).get("/api/v1/conversations/{id}/turns/{m}/events", id, userMessage).then().statusCode(404);
        as(stranger).post("/api/v1/conversations/{id}/turns/{m}/cancel", id, userMessage).then().statusCode(404);
        as(user).post("/api/v1/conversations/{id}/turns/{m}/cancel", id, UUID.randomUUID()).then().statusCode(404);
        as(user).header("Last-Event-ID", "soon").get("/api/v1/conversations/{id}/turns/{m}/events", id, userMessage)
                .then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors[0].field", equalTo("Last-Event-ID"));
    }

    @Test
    void followingARunningTurnWithoutRedisIsAClearProblemAndTheTurnGoesOn() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("on", " and on").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);
        try (SseClient sse = stream(user, id, "{\"content\":\"go\",\"stream\":true}")) {
            sse.next();
            sse.next();
            RedisProxyResource.cut();
            try (SseClient follow = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", null)) {
                assertThat(follow.status()).isEqualTo(503);
                assertThat(follow.header("Content-Type")).startsWith("application/problem+json");
                assertThat(new JsonObject(follow.body()).getString("code")).isEqualTo("coordination_unavailable");
            }
            gate.complete(null);
            List<Event> rest = sse.rest();
            assertThat(rest.get(rest.size() - 1).name()).isEqualTo("message.completed");
        } finally {
            gate.complete(null);
        }
        // An ended turn is still replayed without Redis, from PostgreSQL.
        try (SseClient follow = follow(user, "/api/v1/conversations/" + id + "/turns/current/events", null)) {
            assertThat(follow.rest()).extracting(Event::name).containsExactly("message.created",
                    "message.completed");
        }
    }

    /** Waits for the conversation's turn to hold it; returns the turn's user message id. */
    private static String awaitBusy(String user, String id) {
        await().atMost(Duration.ofSeconds(5)).until(() -> as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().extract().jsonPath().getInt("total_count") == 1);
        return as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                .getString("messages[0].id");
    }

    private static String events(String conversation, String message) {
        return "/api/v1/conversations/" + conversation + "/turns/" + message + "/events";
    }

    private static SseClient stream(String user, String conversationId, String body) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + conversationId + "/messages", user, null,
                body);
    }

    private static SseClient follow(String user, String path, String lastEventId) throws Exception {
        return SseClient.get(RestAssured.port, path, user,
                lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
    }
}
