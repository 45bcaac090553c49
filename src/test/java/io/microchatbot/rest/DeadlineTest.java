package io.microchatbot.rest;

import java.time.Duration;
import java.util.List;

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
class DeadlineTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void meshDeadlineTooShortToStartIs504BeforeAnythingIsStoredOrPaidFor() {
        String user = newUser();
        String id = conversation(user);

        as(user).header("x-envoy-expected-rq-timeout-ms", "300").contentType(ContentType.JSON)
                .body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(504)
                .contentType("application/problem+json")
                .body("code", equalTo("deadline_exceeded"));

        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(0));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void providerSlowerThanTheCallersDeadlineEndsTheTurnAtTheDeadline() {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofSeconds(5)));
        String user = newUser();
        String id = conversation(user);

        long started = System.nanoTime();
        as(user).header("Request-Timeout", "1.5").contentType(ContentType.JSON).body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(504)
                .body("code", equalTo("deadline_exceeded"));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isLessThan(4_000); // not the provider's 5 s, nor a retry after it
        assertThat(upstream.received()).hasSize(1);
        as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("total_count", is(2))
                .body("messages[1].metadata.status", equalTo("failed"))
                .body("messages[1].metadata.error.code", equalTo("deadline_exceeded"));
    }

    @Test
    void theNearerOfTheTwoDeadlineHeadersApplies() {
        String user = newUser();
        String id = conversation(user);

        as(user).header("x-envoy-expected-rq-timeout-ms", "60000").header("Request-Timeout", "0.2")
                .contentType(ContentType.JSON).body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(504).body("code", equalTo("deadline_exceeded"));
    }

    @Test
    void ampleDeadlineChangesNothing() {
        String user = newUser();
        String id = conversation(user);

        as(user).header("x-envoy-expected-rq-timeout-ms", "15000").contentType(ContentType.JSON)
                .body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }

    @Test
    void malformedDeadlineHeadersAre400() {
        String user = newUser();
        String id = conversation(user);

        as(user).header("Request-Timeout", "soon").contentType(ContentType.JSON).body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400).body("code", equalTo("validation_failed"));
        as(user).header("x-envoy-expected-rq-timeout-ms", "-5").contentType(ContentType.JSON)
                .body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(0));
    }

    @Test
    void streamWhoseFirstTokenMissesTheDeadlineEndsWithAnErrorEvent() throws Exception {
        upstream.behave(UpstreamBehavior.reply("late").latency(Duration.ofSeconds(5)));
        String user = newUser();
        String id = conversation(user);

        List<SseClient.Event> events;
        try (SseClient sse = SseClient.postWithHeader(RestAssured.port, "/api/v1/conversations/" + id + "/messages",
                user, "Request-Timeout", "1.2", "{\"content\":\"go\",\"stream\":true}")) {
            events = sse.rest();
        }

        assertThat(events).extracting(SseClient.Event::name).containsExactly("message.created", "error");
        assertThat(events.get(1).json().getString("code")).isEqualTo("deadline_exceeded");
        assertThat(upstream.received()).hasSize(1);
    }
}
