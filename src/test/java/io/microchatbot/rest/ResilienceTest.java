package io.microchatbot.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SecondaryLlmResource;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

@QuarkusTest
@TestProfile(ResilienceTest.Profile.class)
@QuarkusTestResource(FakeLlmResource.class)
class ResilienceTest {

    static final String PRIMARY = FakeLlmServer.MODEL;
    static final String FALLBACK = "fallback-model-a";

    /**
     * Two retries, a fallback model, a second provider, a breaker that opens after 4 calls, a bulkhead of 2 + 1
     * waiting.
     */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondaryLlmResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("chatbot.llm.retry.max-retries", "2"),
                    Map.entry("chatbot.llm.retry.initial-delay", "100ms"),
                    Map.entry("chatbot.llm.retry.max-delay", "400ms"),
                    Map.entry("chatbot.llm.retry.jitter", "10ms"),
                    Map.entry("chatbot.llm.retry.max-retry-after", "2s"),
                    Map.entry("chatbot.llm.fallback-models", FALLBACK),
                    Map.entry("chatbot.llm.circuit-breaker.request-volume-threshold", "4"),
                    Map.entry("chatbot.llm.circuit-breaker.failure-ratio", "0.5"),
                    Map.entry("chatbot.llm.circuit-breaker.delay", "1s"),
                    Map.entry("chatbot.llm.circuit-breaker.success-threshold", "1"),
                    Map.entry("chatbot.llm.bulkhead.max-concurrent", "2"),
                    Map.entry("chatbot.llm.bulkhead.queue", "1"));
        }
    }

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final FakeLlmServer secondary = SecondaryLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
        secondary.reset();
    }

    @Test
    void serverErrorsAreRetriedWithGrowingDelaysUntilTheyPass() {
        upstream.script(UpstreamBehavior.status(500), UpstreamBehavior.status(503));
        String user = newUser();
        String id = conversation(user);

        JsonPath turn = send(user, id).then().statusCode(201).extract().jsonPath();

        assertThat(turn.getInt("assistant_message.metadata.attempts")).isEqualTo(3);
        assertThat(turn.getString("model")).isEqualTo(PRIMARY);
        List<FakeLlmServer.Received> calls = upstream.received();
        assertThat(calls).hasSize(3).allMatch(call -> call.model().equals(PRIMARY));
        assertThat(gapMillis(calls, 0)).isGreaterThanOrEqualTo(90); // ~100 ms, then doubled
        assertThat(gapMillis(calls, 1)).isGreaterThanOrEqualTo(190);
    }

    @Test
    void providersRetryAfterIsWaitedForBeforeTheRetry() {
        upstream.script(UpstreamBehavior.status(429).retryAfter("1"));
        String user = newUser();
        String id = conversation(user);

        send(user, id).then().statusCode(201);

        List<FakeLlmServer.Received> calls = upstream.received();
        assertThat(calls).hasSize(2);
        assertThat(gapMillis(calls, 0)).isGreaterThanOrEqualTo(990);
    }

    @Test
    void retryAfterLongerThanWeWaitIsPassedOnWithoutRetrying() {
        upstream.behave(UpstreamBehavior.status(429).retryAfter("30"));
        secondary.behave(UpstreamBehavior.status(429).retryAfter("30"));
        String user = newUser();
        String id = conversation(user);

        send(user, id).then().statusCode(429)
                .header("Retry-After", "30")
                .body("code", equalTo("llm_rate_limited"));

        // one call per model: no retry of either, the fallback was tried once
        assertThat(upstream.receivedFor(PRIMARY)).hasSize(1);
        assertThat(upstream.receivedFor(FALLBACK)).hasSize(1);
        assertThat(secondary.received()).hasSize(1);
    }

    @Test
    void clientErrorsAreNeverRetried() {
        upstream.behave(UpstreamBehavior.status(400));
        secondary.behave(UpstreamBehavior.status(400));
        String user = newUser();
        String id = conversation(user);

        send(user, id).then().statusCode(502).body("code", equalTo("llm_bad_response"));

        assertThat(upstream.receivedFor(PRIMARY)).hasSize(1);
        assertThat(upstream.receivedFor(FALLBACK)).hasSize(1);
        assertThat(secondary.received()).hasSize(1);
    }

    @Test
    void fallbackModelAnswersWhenThePrimaryKeepsFailingAndTheReplySaysSo() {
        upstream.behaveFor(PRIMARY, UpstreamBehavior.status(503));
        String user = newUser();
        String id = conversation(user);

        JsonPath turn = send(user, id).then().statusCode(201).extract().jsonPath();

        assertThat(turn.getString("model")).isEqualTo(FALLBACK);
        assertThat(turn.getString("assistant_message.metadata.model")).isEqualTo(FALLBACK);
        assertThat(turn.getInt("assistant_message.metadata.attempts")).isEqualTo(4); // 3 on the primary, 1 fallback
        assertThat(upstream.receivedFor(PRIMARY)).hasSize(3);
        assertThat(upstream.receivedFor(FALLBACK)).hasSize(1);
    }

    @Test
    void circuitOfAFailingModelOpensSkipsItAndHalfOpensLater() {
        upstream.behaveFor(PRIMARY, UpstreamBehavior.status(500));
        String user = newUser();
        String id = conversation(user);

        send(user, id).then().statusCode(201); // 3 failed calls on the primary, the fallback answers
        send(user, id).then().statusCode(201); // the 4th call fills the window: the circuit opens
        int primaryCalls = upstream.receivedFor(PRIMARY).size();
        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'llm' }.data.'circuit.openai-compatible:" + PRIMARY + "'", equalTo("open"));

        send(user, id).then().statusCode(201);
        assertThat(upstream.receivedFor(PRIMARY)).hasSize(primaryCalls); // skipped while open
        assertThat(RestAssured.get("/q/metrics").asString()).contains(
                "ft_circuitbreaker_state_current{method=\"llm openai-compatible:" + PRIMARY + "\",state=\"open\"} 1.0",
                "ft_circuitbreaker_opened_total{method=\"llm openai-compatible:" + PRIMARY + "\"} 1.0");

        upstream.behaveFor(PRIMARY, FakeLlmServer.defaultBehavior());
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(send(user, id).then().statusCode(201).extract().jsonPath()
                        .getString("model")).isEqualTo(PRIMARY));
        RestAssured.get("/q/health/ready").then()
                .body("checks.find { it.name == 'llm' }.data.'circuit.openai-compatible:" + PRIMARY + "'", equalTo("closed"));
    }

    @Test
    void allModelsFailingIs503WithRetryAfterAndAFailedReply() {
        upstream.behave(UpstreamBehavior.status(502));
        secondary.behave(UpstreamBehavior.status(502));
        String user = newUser();
        String id = conversation(user);

        send(user, id).then().statusCode(503)
                .header("Retry-After", org.hamcrest.Matchers.matchesPattern("\\d+"))
                .body("code", equalTo("llm_unavailable"));
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("total_count", is(2))
                .body("messages[1].metadata.status", equalTo("failed"));
        assertThat(upstream.received()).hasSize(6); // 3 attempts on each model
        assertThat(secondary.received()).hasSize(3);
    }

    @Test
    void secondProviderAnswersWhenEveryModelOfTheFirstFails() {
        upstream.behave(UpstreamBehavior.status(503));
        String user = newUser();
        String id = conversation(user);

        JsonPath turn = send(user, id).then().statusCode(201).extract().jsonPath();

        assertThat(turn.getString("model")).isEqualTo(SecondaryLlmResource.MODEL);
        assertThat(turn.getString("assistant_message.metadata.provider")).isEqualTo(SecondaryLlmResource.LABEL);
        assertThat(turn.getInt("assistant_message.metadata.attempts")).isEqualTo(7); // 3 + 3 + 1
        assertThat(secondary.lastRequest().authorization()).isEqualTo("Bearer sk-secondary-test");
    }

    @Test
    void callsBeyondTheBulkheadAndItsQueueAre503LlmOverloaded() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofMillis(1500)));
        String user = newUser();
        List<String> ids = IntStream.range(0, 6).mapToObj(i -> conversation(user)).toList();
        HttpClient client = HttpClient.newHttpClient();

        List<HttpResponse<String>> responses = ids.stream()
                .map(id -> client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                        + "/api/v1/conversations/" + id + "/messages"))
                        .header("X-User-ID", user).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"hi\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList().stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> overloaded = responses.stream().filter(r -> r.statusCode() == 503).toList();
        List<HttpResponse<String>> answered = responses.stream().filter(r -> r.statusCode() == 201).toList();
        assertThat(answered.size() + overloaded.size()).isEqualTo(6);
        assertThat(answered.size()).isBetween(2, 3); // 2 running + 1 waiting at most
        assertThat(overloaded).isNotEmpty().allSatisfy(r -> {
            assertThat(r.body()).contains("\"code\":\"llm_overloaded\"");
            assertThat(r.headers().firstValue("Retry-After")).contains("2");
        });
        assertThat(upstream.received()).hasSize(answered.size());
    }

    @Test
    void streamFailingBeforeItsFirstChunkIsRetriedInvisibly() throws Exception {
        upstream.script(UpstreamBehavior.status(503));
        String user = newUser();
        String id = conversation(user);

        List<SseClient.Event> events;
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        assertThat(events).extracting(SseClient.Event::name).startsWith("message.created")
                .endsWith("message.completed").doesNotContain("error", "message.incomplete");
        assertThat(events.get(events.size() - 1).json().getJsonObject("message").getJsonObject("metadata")
                .getInteger("attempts")).isEqualTo(2);
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void streamBrokenAfterItsFirstChunkIsNeverRepeated() throws Exception {
        upstream.behave(UpstreamBehavior.reply("one", " two", " three").breakAfter(2));
        String user = newUser();
        String id = conversation(user);

        List<SseClient.Event> events;
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        assertThat(events.get(events.size() - 1).name()).isEqualTo("message.incomplete");
        assertThat(upstream.received()).hasSize(1); // no retry, no fallback once tokens reached the caller
    }

    private static io.restassured.response.Response send(String user, String id) {
        return as(user).contentType(ContentType.JSON).body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id);
    }

    private static long gapMillis(List<FakeLlmServer.Received> calls, int index) {
        return (calls.get(index + 1).atNanos() - calls.get(index).atNanos()) / 1_000_000;
    }
}
