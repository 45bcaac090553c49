package io.microchatbot.admission;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Problems;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Admission with a limit of 4 turns and a queue of 2 (SmallAdmissionProfile) against the real PostgreSQL and Redis;
 * only the provider is simulated. Permits are held by streams waiting on a gate of the fake provider.
 */
@QuarkusTest
@TestProfile(SmallAdmissionProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
class AdmissionTest {

    private static final int LIMIT = SmallAdmissionProfile.LIMIT;

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final List<CompletableFuture<Void>> gates = new ArrayList<>();
    private final List<SseClient> streams = new ArrayList<>();

    @Inject
    TurnAdmission admission;

    @BeforeEach
    void everyPermitIsFree() {
        awaitNothingInFlight();
        upstream.reset();
    }

    @AfterEach
    void releaseTheHeldStreams() throws Exception {
        gates.forEach(gate -> gate.complete(null));
        for (SseClient stream : streams) {
            stream.restUntilCut();
            stream.close();
        }
        upstream.reset();
        awaitNothingInFlight();
    }

    @Test
    void floodBeyondTheLimitIsShedAs503OverloadedStoringNothingAndTheProviderNeverSeesMoreThanTheLimit()
            throws Exception {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(1200)));
        String user = newUser();
        int flood = 20;
        List<String> ids = IntStream.range(0, flood).mapToObj(i -> conversation(user)).toList();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        List<CompletableFuture<HttpResponse<String>>> sent = ids.stream()
                .map(id -> client.sendAsync(turnRequest(user, id), HttpResponse.BodyHandlers.ofString()))
                .toList();
        List<HttpResponse<String>> answers = sent.stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> answered = answers.stream().filter(a -> a.statusCode() == 201).toList();
        List<HttpResponse<String>> shed = answers.stream().filter(a -> a.statusCode() != 201).toList();
        assertThat(shed).as("turns beyond the limit and the queue").isNotEmpty();
        for (HttpResponse<String> refused : shed) {
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith(Problems.MEDIA_TYPE));
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
            JsonObject problem = new JsonObject(refused.body());
            assertThat(problem.getString("code")).isEqualTo("overloaded");
            assertThat(problem.getInteger("status")).isEqualTo(503);
        }
        assertThat(answered.size()).as("the first turns, up to the limit, are admitted").isGreaterThanOrEqualTo(LIMIT);
        assertThat(messagesOf(user)).as("two messages per answered turn, none for a shed one")
                .isEqualTo(2L * answered.size());
        assertThat(upstream.received()).hasSize(answered.size());
        assertThat(upstream.mostConcurrentRequests()).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void queuedTurnIsServedWhenAPermitFreesWithinItsDeadline() throws Exception {
        String user = newUser();
        holdEveryPermit(user);

        CompletableFuture<Response> queued = CompletableFuture.supplyAsync(() -> as(user)
                .header("Request-Timeout", "10").contentType(ContentType.JSON).body("{\"content\":\"waiting\"}")
                .post("/api/v1/conversations/{id}/messages", conversation(user)));
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.queued() == 1);
        gates.get(0).complete(null);

        queued.get().then().statusCode(201).body("assistant_message.metadata.status", equalTo("complete"));
    }

    @Test
    void turnWhoseDeadlineCannotCoverTheWaitIsShedWithoutWaitingForAPermit() throws Exception {
        String user = newUser();
        holdEveryPermit(user);
        String id = conversation(user);

        // 1.5 s leave 0.5 s beyond the 1 s a turn needs to start: less than the queue's 3 s, and no permit frees
        Response refused = as(user).header("Request-Timeout", "1.5").contentType(ContentType.JSON)
                .body("{\"content\":\"in a hurry\"}")
                .post("/api/v1/conversations/{id}/messages", id);

        Problems.assertProblem(refused, 503, "overloaded").header("Retry-After", "2");
        assertThat(admission.inFlight()).as("the permits were still held when it was shed").isEqualTo(LIMIT);
        assertThat(admission.queued()).isZero();
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", equalTo(0));
    }

    @Test
    void idempotentTurnShedWith503LeavesItsKeyReusable() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String key = UUID.randomUUID().toString();
        holdEveryPermit(user);

        Response refused = as(user).header("Idempotency-Key", key).header("Request-Timeout", "1.2")
                .contentType(ContentType.JSON).body("{\"content\":\"once\"}")
                .post("/api/v1/conversations/{id}/messages", id);
        Problems.assertProblem(refused, 503, "overloaded");
        gates.forEach(gate -> gate.complete(null));
        awaitStreamsEnded();

        as(user).header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"content\":\"once\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201)
                .header("Idempotent-Replayed", (String) null);
        assertThat(upstream.receivedFor(FakeLlmServer.MODEL)).hasSize(LIMIT + 1);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", equalTo(2));
    }

    @Test
    void permitsComeBackAfterCompletionFailureAndCallersHangingUp() throws Exception {
        String user = newUser();
        for (int i = 0; i < LIMIT; i++) {
            // completion
            as(user).contentType(ContentType.JSON).body("{\"content\":\"fine\"}")
                    .post("/api/v1/conversations/{id}/messages", conversation(user)).then().statusCode(201);
            // failure before the LLM (no such conversation)
            as(user).contentType(ContentType.JSON).body("{\"content\":\"lost\"}")
                    .post("/api/v1/conversations/{id}/messages", UUID.randomUUID()).then().statusCode(404);
        }
        upstream.behave(UpstreamBehavior.status(500));
        for (int i = 0; i < LIMIT; i++) {
            // failure of the LLM (stored as a failed reply)
            as(user).contentType(ContentType.JSON).body("{\"content\":\"broken\"}")
                    .post("/api/v1/conversations/{id}/messages", conversation(user)).then().statusCode(503);
        }
        CompletableFuture<Void> never = new CompletableFuture<>();
        gates.add(never);
        upstream.behave(UpstreamBehavior.reply("some", " text", " never sent").gateAfter(1, never));
        for (int i = 0; i < LIMIT; i++) {
            // a streaming caller hanging up mid-stream
            try (SseClient sse = stream(user, conversation(user))) {
                assertThat(sse.next().name()).isEqualTo("message.created");
                assertThat(sse.next().json().getString("content")).isEqualTo("some");
            }
        }
        awaitNothingInFlight();
        upstream.reset();

        holdEveryPermit(user);
        assertThat(admission.inFlight()).isEqualTo(LIMIT);
    }

    /** Starts LIMIT streams that each wait on their own gate after their first chunk. */
    private void holdEveryPermit(String user) throws Exception {
        for (int i = 0; i < LIMIT; i++) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            upstream.script(UpstreamBehavior.reply("held", " until released").gateAfter(1, gate));
        }
        for (int i = 0; i < LIMIT; i++) {
            SseClient sse = stream(user, conversation(user));
            streams.add(sse);
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.next().name()).isEqualTo("message.created");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.inFlight() == LIMIT);
    }

    private void awaitStreamsEnded() throws Exception {
        for (SseClient stream : streams) {
            stream.restUntilCut();
        }
        awaitNothingInFlight();
    }

    private void awaitNothingInFlight() {
        await().atMost(Duration.ofSeconds(15)).until(() -> admission.inFlight() == 0 && admission.queued() == 0);
    }

    private static SseClient stream(String user, String id) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"go\",\"stream\":true}");
    }

    private static HttpRequest turnRequest(String user, String id) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/"
                + id + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("X-User-ID", user)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"flood\"}"))
                .build();
    }

    private static long messagesOf(String user) throws Exception {
        return Long.parseLong(Sql.text("SELECT count(*) FROM messages WHERE user_id = '" + user + "'"));
    }
}
