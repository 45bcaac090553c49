package io.microchatbot.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.idempotency.IdempotencyCleanup;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class IdempotencyTest {

    private static final String KEY = "Idempotency-Key";
    private static final String REPLAYED = "Idempotent-Replayed";
    private final FakeLlmServer upstream = FakeLlmResource.server();

    @Inject
    IdempotencyCleanup cleanup;

    @Inject
    Scheduler scheduler;

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void twentyConcurrentRetriesOfOneTurnCallTheLlmOnceAndStoreOnePair() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(1500)));
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "retried by the mesh " + UUID.randomUUID();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        List<CompletableFuture<HttpResponse<byte[]>>> calls = IntStream.range(0, 20)
                .mapToObj(i -> client.sendAsync(turnRequest(user, id, key, content),
                        HttpResponse.BodyHandlers.ofByteArray()))
                .toList();
        List<HttpResponse<byte[]>> responses = calls.stream().map(CompletableFuture::join).toList();

        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("total_count", is(2))
                .body("messages.message_type", equalTo(List.of("user", "assistant")));
        List<HttpResponse<byte[]>> created = responses.stream().filter(r -> r.statusCode() == 201).toList();
        List<HttpResponse<byte[]>> running = responses.stream().filter(r -> r.statusCode() == 409).toList();
        assertThat(created.size() + running.size()).as("every answer is the turn or 409").isEqualTo(20);
        assertThat(created).filteredOn(r -> r.headers().firstValue(REPLAYED).isEmpty()).hasSize(1);
        byte[] first = created.stream().filter(r -> r.headers().firstValue(REPLAYED).isEmpty()).findFirst()
                .orElseThrow().body();
        assertThat(created).allSatisfy(r -> assertThat(r.body()).isEqualTo(first));
        assertThat(created).filteredOn(r -> r.headers().firstValue(REPLAYED).isPresent())
                .allSatisfy(r -> assertThat(r.headers().firstValue(REPLAYED)).contains("true"));
        assertThat(running).allSatisfy(r -> {
            assertThat(new String(r.body())).contains("\"code\":\"request_in_progress\"");
            assertThat(r.headers().firstValue("Retry-After")).contains("2");
        });

        List<HttpResponse<byte[]>> replays = IntStream.range(0, 3)
                .mapToObj(i -> client.sendAsync(turnRequest(user, id, key, content),
                        HttpResponse.BodyHandlers.ofByteArray()))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(replays).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue(REPLAYED)).contains("true");
            assertThat(r.body()).isEqualTo(first);
        });
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
    }

    @Test
    void retryAfterSuccessReplaysStatusHeadersAndBodyWithoutCallingTheLlm() {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "once only " + UUID.randomUUID();

        Response first = turn(user, id, key, content);
        first.then().statusCode(201).header(REPLAYED, nullValue());
        Response replay = turn(user, id, key, content);

        replay.then().statusCode(201).header(REPLAYED, "true");
        assertThat(replay.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
        assertThat(replay.header("Content-Type")).isEqualTo(first.header("Content-Type"));
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }

    @Test
    void recordedLlmFailureIsReplayedWithoutASecondUpstreamCall() {
        upstream.behave(UpstreamBehavior.status(500));
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "fails upstream " + UUID.randomUUID();

        Response first = turn(user, id, key, content);
        assertProblem(first, 503, "llm_unavailable").header("Retry-After", "5").header(REPLAYED, nullValue());
        long callsOfTheFirst = upstreamCallsWith(content); // its own retries included
        upstream.behave(FakeLlmServer.defaultBehavior()); // would succeed now, if it were called
        Response replay = turn(user, id, key, content);

        assertProblem(replay, 503, "llm_unavailable").header("Retry-After", "5").header(REPLAYED, "true");
        assertThat(replay.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(callsOfTheFirst).isEqualTo(2); // one retry in the test profile
        assertThat(upstreamCallsWith(content)).isEqualTo(callsOfTheFirst);
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("total_count", is(2))
                .body("messages[1].metadata.status", equalTo("failed"));
    }

    @Test
    void problemRaisedByTheServiceIsRecordedAndReplayed() {
        String user = newUser();
        String key = newKey();
        String missing = UUID.randomUUID().toString();

        Response first = turn(user, missing, key, "hello");
        assertProblem(first, 404, "not_found");
        Response replay = turn(user, missing, key, "hello");

        assertProblem(replay, 404, "not_found").header(REPLAYED, "true");
        assertThat(replay.asByteArray()).isEqualTo(first.asByteArray());
    }

    @Test
    void sameKeyForAnotherRequestIs422AndRunsNothing() {
        String user = newUser();
        String id = conversation(user);
        String other = conversation(user);
        String key = newKey();
        String content = "the first use " + UUID.randomUUID();
        turn(user, id, key, content).then().statusCode(201);

        assertProblem(turn(user, id, key, "another message"), 422, "idempotency_key_reused");
        assertProblem(turn(user, other, key, content), 422, "idempotency_key_reused");
        assertProblem(as(user).header(KEY, key).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id), 422, "idempotency_key_reused");
        assertProblem(as(user).header(KEY, key).contentType(ContentType.JSON).body(Map.of("title", "x"))
                .post("/api/v1/conversations"), 422, "idempotency_key_reused");

        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        assertThat(upstreamCallsWith("another message")).isZero();
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
        as(user).get("/api/v1/conversations/{id}/messages", other).then().body("total_count", is(0));
        as(user).get("/api/v1/conversations").then().body("conversations.size()", is(2));
    }

    @Test
    void sameBodyReformattedIsTheSameRequest() {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "reformatted " + UUID.randomUUID();

        Response first = as(user).header(KEY, key).contentType(ContentType.JSON)
                .body("{\"content\":\"" + content + "\",\"metadata\":{\"a\":1,\"b\":[1,2]}}")
                .post("/api/v1/conversations/{id}/messages", id);
        Response replay = as(user).header(KEY, key).contentType(ContentType.JSON)
                .body("{ \"metadata\" : { \"b\" : [1, 2], \"a\" : 1 }, \"content\" : \"" + content
                        + "\", \"stream\": null }")
                .post("/api/v1/conversations/{id}/messages", id);

        first.then().statusCode(201);
        replay.then().statusCode(201).header(REPLAYED, "true");
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
    }

    @Test
    void anotherCallersSameKeyIsIndependent() {
        String key = newKey();
        String content = "shared key " + UUID.randomUUID();
        String alice = newUser();
        String bob = newUser();
        String tenant = newTenant();
        String aliceConversation = conversation(alice);
        String bobConversation = conversation(bob);
        String aliceElsewhere = conversation(as(tenant, alice), Map.of());

        turn(as(alice), aliceConversation, key, content).then().statusCode(201).header(REPLAYED, nullValue());
        turn(as(bob), bobConversation, key, content).then().statusCode(201).header(REPLAYED, nullValue());
        turn(as(tenant, alice), aliceElsewhere, key, content).then().statusCode(201)
                .header(REPLAYED, nullValue());

        assertThat(upstreamCallsWith(content)).isEqualTo(3);
        as(bob).get("/api/v1/conversations/{id}/messages", bobConversation).then().body("total_count", is(2));
    }

    @Test
    void createConversationReplayReturnsTheSameConversationAndCreatesOneRow() throws Exception {
        String user = newUser();
        String key = newKey();
        Map<String, Object> body = Map.of("title", "Trip planning", "metadata", Map.of("client", "web"));

        Response first = as(user).header(KEY, key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/conversations");
        Response replay = as(user).header(KEY, key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/conversations");

        first.then().statusCode(201).contentType(ContentType.JSON).header(REPLAYED, nullValue())
                .body("title", equalTo("Trip planning"));
        replay.then().statusCode(201).contentType(ContentType.JSON).header(REPLAYED, "true");
        assertThat(replay.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(replay.<String> path("id")).isEqualTo(first.path("id"));
        assertThat(replay.header("Location")).isEqualTo(first.header("Location"))
                .endsWith("/api/v1/conversations/" + first.path("id"));
        assertThat(Sql.text("select count(*) from conversations where user_id = '" + user + "'")).isEqualTo("1");
    }

    @Test
    void streamedTurnReplayReturnsTheIdenticalEventStream() {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "stream it " + UUID.randomUUID();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<byte[]> first = client.sendAsync(streamRequest(user, id, key, content),
                HttpResponse.BodyHandlers.ofByteArray()).join();
        HttpResponse<byte[]> replay = client.sendAsync(streamRequest(user, id, key, content),
                HttpResponse.BodyHandlers.ofByteArray()).join();

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue(REPLAYED)).isEmpty();
        String events = new String(first.body(), StandardCharsets.UTF_8);
        assertThat(events).startsWith("id: 1\nevent: message.created\n").contains("\nevent: message.completed\n")
                .endsWith("\n\n");
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(replay.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(replay.headers().firstValue(REPLAYED)).contains("true");
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }

    @Test
    void retryWhileAStreamedTurnRunsGets409RequestInProgressWithRetryAfter() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("slow", " reply").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String body = "{\"content\":\"wait for it\",\"stream\":true}";

        try (SseClient sse = stream(user, id, key, body)) {
            assertThat(sse.next().name()).isEqualTo("message.created");

            try (SseClient retry = stream(user, id, key, body)) {
                assertThat(retry.status()).isEqualTo(409);
                assertThat(retry.header("Retry-After")).isEqualTo("2");
                assertThat(retry.body()).contains("\"code\":\"request_in_progress\"");
            }
            Response again = as(user).header(KEY, key).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/conversations/{id}/messages", id);
            assertProblem(again, 409, "request_in_progress").header("Retry-After", "2");

            gate.complete(null);
            assertThat(sse.rest()).extracting(Event::name).endsWith("message.completed");
        } finally {
            gate.complete(null);
        }
        try (SseClient replay = stream(user, id, key, body)) {
            assertThat(replay.status()).isEqualTo(200);
            assertThat(replay.header(REPLAYED)).isEqualTo("true");
        }
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }

    @Test
    void callerHangingUpMidStreamRecordsTheEventsSentSoFar() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("kept", " part", " never sent").gateAfter(2, gate));
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "hang up " + UUID.randomUUID();
        String body = "{\"content\":\"" + content + "\",\"stream\":true}";

        try {
            try (SseClient sse = stream(user, id, key, body)) {
                assertThat(sse.next().name()).isEqualTo("message.created");
                assertThat(sse.next().json().getString("content")).isEqualTo("kept");
                assertThat(sse.next().json().getString("content")).isEqualTo(" part");
            } // hangs up

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    Sql.text("select status from idempotency_keys where user_id = '" + user + "'"))
                    .isEqualTo("completed"));
            try (SseClient replay = stream(user, id, key, body)) {
                assertThat(replay.status()).isEqualTo(200);
                assertThat(replay.header(REPLAYED)).isEqualTo("true");
                assertThat(replay.rest()).extracting(Event::name)
                        .containsExactly("message.created", "message.delta", "message.delta");
            }
        } finally {
            gate.complete(null);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> as(user)
                .get("/api/v1/conversations/{id}/messages", id).then()
                .body("total_count", is(2))
                .body("messages[1].metadata.status", equalTo("complete")));
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
    }

    @Test
    void malformedKeysAre400AndClaimNothing() throws Exception {
        String user = newUser();
        String id = conversation(user);

        for (String key : List.of("k".repeat(256), "tab\tinside", "caf\u00e9")) {
            Response response = as(user).header(KEY, key).contentType(ContentType.JSON)
                    .body(Map.of("content", "hello")).post("/api/v1/conversations/{id}/messages", id);
            assertProblem(response, 400, "validation_failed").body("errors[0].field", equalTo(KEY));
        }
        assertProblem(as(user).header(KEY, "a").header(KEY, "b").contentType(ContentType.JSON)
                .body(Map.of("title", "t")).post("/api/v1/conversations"), 400, "validation_failed");

        assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'")).isEqualTo("0");
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(0));
        turn(user, id, "k".repeat(255), "the longest key").then().statusCode(201);
        turn(user, id, " !\"~ printable ascii ~", "odd but printable").then().statusCode(201);
    }

    @Test
    void failuresBeforeTheWorkRecordNothingSoTheFixedRequestRunsWithTheSameKey() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();

        assertProblem(turn(user, id, key, " "), 400, "validation_failed");
        assertProblem(as(user).header(KEY, key).contentType(ContentType.JSON).body("{\"content\":")
                .post("/api/v1/conversations/{id}/messages", id), 400, "invalid_json");
        assertProblem(as(user).header(KEY, key).contentType(ContentType.TEXT).body("hello")
                .post("/api/v1/conversations/{id}/messages", id), 415, "unsupported_media_type");
        assertProblem(RestAssured.given().header(KEY, key).contentType(ContentType.JSON).body(Map.of("content", "x"))
                .post("/api/v1/conversations/{id}/messages", id), 401, "unauthenticated");
        assertThat(Sql.text("select count(*) from idempotency_keys where idempotency_key = '" + key + "'"))
                .isEqualTo("0");

        turn(user, id, key, "fixed").then().statusCode(201).header(REPLAYED, nullValue());
    }

    @Test
    void conversationBusyIsNotRecordedSoTheSameKeyRunsOnceTheConversationIsFree() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("first", " reply").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);
        String key = newKey();

        try (SseClient other = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                null, "{\"content\":\"a turn without a key\",\"stream\":true}")) {
            assertThat(other.next().name()).isEqualTo("message.created");

            assertProblem(turn(user, id, key, "while busy"), 409, "conversation_busy").header("Retry-After", "2");
            assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'")).isEqualTo("0");

            gate.complete(null);
            assertThat(other.rest()).extracting(Event::name).endsWith("message.completed");
        } finally {
            gate.complete(null);
        }
        upstream.behave(FakeLlmServer.defaultBehavior());
        turn(user, id, key, "while busy").then().statusCode(201).header(REPLAYED, nullValue());
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(4));
    }

    @Test
    void expiredKeyCountsAsNewEvenBeforeTheCleanup() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "expires " + UUID.randomUUID();
        turn(user, id, key, content).then().statusCode(201);

        assertThat(Sql.execute("update idempotency_keys set expires_at = now() - interval '1 second'"
                + " where user_id = '" + user + "'")).isEqualTo(1);
        turn(user, id, key, content).then().statusCode(201).header(REPLAYED, nullValue());

        assertThat(upstreamCallsWith(content)).isEqualTo(2);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(4));
        turn(user, id, key, content).then().statusCode(201).header(REPLAYED, "true");
    }

    @Test
    void keyHeldByADeadRequestRunsAgainOnlyAfterItsLease() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String key = newKey();
        String content = "pod died " + UUID.randomUUID();
        turn(user, id, key, content).then().statusCode(201);
        String abandon = "update idempotency_keys set status = 'in_progress', outcome = null,"
                + " completed_at = null, locked_until = now() + %s"
                + " where user_id = '" + user + "'";

        Sql.execute(abandon.formatted("interval '1 minute'"));
        assertProblem(turn(user, id, key, content), 409, "request_in_progress");
        assertProblem(turn(user, id, key, "other"), 422, "idempotency_key_reused");

        Sql.execute(abandon.formatted("interval '-1 second'"));
        assertProblem(turn(user, id, key, "other"), 422, "idempotency_key_reused");
        turn(user, id, key, content).then().statusCode(201).header(REPLAYED, nullValue());
        assertThat(upstreamCallsWith(content)).isEqualTo(2);
    }

    @Test
    void requestsWithoutAKeyRunEveryTimeAndRecordNothing() throws Exception {
        String user = newUser();
        String id = conversation(user);

        for (int i = 0; i < 2; i++) {
            as(user).contentType(ContentType.JSON).body(Map.of("content", "same"))
                    .post("/api/v1/conversations/{id}/messages", id)
                    .then().statusCode(201).header(REPLAYED, nullValue());
        }

        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(4));
        assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'")).isEqualTo("0");
    }

    @Test
    void cleanupDeletesExpiredKeysAndKeepsLiveOnes() throws Exception {
        String user = newUser();
        String expired = newKey();
        String live = newKey();
        for (String key : List.of(expired, live)) {
            as(user).header(KEY, key).contentType(ContentType.JSON).body(Map.of("title", key))
                    .post("/api/v1/conversations").then().statusCode(201);
        }
        Sql.execute("update idempotency_keys set expires_at = now() - interval '1 second'"
                + " where user_id = '" + user + "' and idempotency_key = '" + expired + "'");

        int deleted = cleanup.deleteExpired().await().atMost(Duration.ofSeconds(10));

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(Sql.text("select idempotency_key from idempotency_keys where user_id = '" + user + "'"))
                .isEqualTo(live);
        assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'")).isEqualTo("1");
        assertThat(scheduler.getScheduledJob(IdempotencyCleanup.JOB)).as("the cleanup is scheduled").isNotNull();
    }

    @Test
    void openApiDocumentsTheKeyOnBothWrites() {
        JsonPath openapi = RestAssured.given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();

        assertThat(openapi.getList("paths.'/api/v1/conversations'.post.parameters.name")).contains(KEY);
        assertThat(openapi.getList("paths.'/api/v1/conversations/{id}/messages'.post.parameters.name")).contains(KEY);
        assertThat(openapi.getString("paths.'/api/v1/conversations'.post.responses.'201'.content."
                + "'application/json'.schema.'$ref'")).endsWith("/ConversationView");
    }

    private static String newKey() {
        return "key-" + UUID.randomUUID();
    }

    private static Response turn(String user, String conversationId, String key, String content) {
        return turn(as(user), conversationId, key, content);
    }

    private static Response turn(RequestSpecification caller, String conversationId, String key, String content) {
        return caller.header(KEY, key).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", conversationId);
    }

    private static SseClient stream(String user, String id, String key, String body) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null, body,
                Map.of(KEY, key));
    }

    private static HttpRequest turnRequest(String user, String id, String key, String content) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id
                + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("X-User-ID", user)
                .header(KEY, key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}"))
                .build();
    }

    private static HttpRequest streamRequest(String user, String id, String key, String content) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/conversations/" + id
                + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("X-User-ID", user)
                .header(KEY, key)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}"))
                .build();
    }

    private long upstreamCallsWith(String content) {
        return upstream.received().stream().filter(r -> r.body().encode().contains(content)).count();
    }
}
