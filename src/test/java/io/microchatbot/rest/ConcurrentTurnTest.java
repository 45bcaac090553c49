package io.microchatbot.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class ConcurrentTurnTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void secondMessageWhileAReplyStreamsGets409WithRetryAfterAndIsNotStored() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("first", " reply").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"one\",\"stream\":true}")) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            assertThat(sse.next().name()).isEqualTo("message.delta");

            as(user).contentType(ContentType.JSON).body("{\"content\":\"two\"}")
                    .post("/api/v1/conversations/{id}/messages", id)
                    .then().statusCode(409)
                    .contentType("application/problem+json")
                    .header("Retry-After", "2")
                    .body("code", equalTo("conversation_busy"));
            try (SseClient second = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                    "text/event-stream", "{\"content\":\"three\"}")) {
                assertThat(second.status()).isEqualTo(409);
            }
            as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(1));

            gate.complete(null);
            assertThat(sse.rest()).extracting(SseClient.Event::name).endsWith("message.completed");
        } finally {
            gate.complete(null);
        }

        upstream.behave(FakeLlmServer.defaultBehavior());
        as(user).contentType(ContentType.JSON).body("{\"content\":\"four\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body("total_count", is(4))
                .body("messages.content", equalTo(List.of("one", "first reply", "four", "Hello from the fake model.")));
    }

    @Test
    void simultaneousMessagesToOneConversationRunExactlyOneTurn() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(500)));
        String user = newUser();
        String id = conversation(user);
        HttpClient client = HttpClient.newHttpClient();

        List<CompletableFuture<HttpResponse<String>>> calls = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> client.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id + "/messages"))
                        .header("X-User-ID", user)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"parallel " + i + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()))
                .toList();
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(5);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }

    @Test
    void differentConversationsOfOneUserRunTurnsInParallel() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(300)));
        String user = newUser();
        List<String> ids = List.of(conversation(user), conversation(user), conversation(user));
        HttpClient client = HttpClient.newHttpClient();

        List<Integer> statuses = ids.stream()
                .map(id -> client.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id + "/messages"))
                        .header("X-User-ID", user)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"hi\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()))
                .toList().stream()
                .map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

        assertThat(statuses).containsOnly(201);
    }

    @Test
    void callerTimingOutOnAPlainTurnStillGetsTheReplyStoredAndTheConversationReleased() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(800)));
        String user = newUser();
        String id = conversation(user);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        CompletableFuture<HttpResponse<String>> call = client.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id + "/messages"))
                .timeout(Duration.ofMillis(200))
                .header("X-User-ID", user)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"are you there?\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(call).failsWithin(Duration.ofSeconds(5));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> as(user).get("/api/v1/conversations/{id}/messages", id).then()
                        .body("total_count", is(2))
                        .body("messages[1].metadata.status", equalTo("complete")));
        upstream.behave(FakeLlmServer.defaultBehavior());
        as(user).contentType(ContentType.JSON).body("{\"content\":\"again\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }

    @Test
    void conversationDeletedWhileItsReplyIsGeneratedEndsThatTurnWith404() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(700)));
        String user = newUser();
        String id = conversation(user);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        CompletableFuture<HttpResponse<String>> call = client.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id + "/messages"))
                .header("X-User-ID", user)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"hello\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !upstream.received().isEmpty());
        as(user).delete("/api/v1/conversations/{id}", id).then().statusCode(204);

        HttpResponse<String> response = call.join();
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"code\":\"not_found\"").contains("deleted");
    }
}
