package io.microchatbot.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.rest.DrainingRequests;
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
import static org.awaitility.Awaitility.await;

/**
 * A stop waits for the turns {@link RunningTurns} holds and cuts the requests {@link DrainingRequests} holds, so
 * every way a turn or request ends must take it out: otherwise a stop would wait its whole grace period for
 * nothing, and a long-lived pod would collect finished requests.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class RunningTurnsTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @Inject
    RunningTurns running;

    @Inject
    DrainingRequests requests;

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aStreamIsRunningUntilItsReplyIsStoredAndEveryWayATurnEndsForgetsItAndItsRequest() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("one", " two").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"go\"}")) {
            sse.next();
            sse.next();
            assertThat(running.count()).isEqualTo(1);
            gate.complete(null);
            sse.rest();
        } finally {
            gate.complete(null);
        }
        awaitNoneRunning();

        upstream.behave(UpstreamBehavior.status(500));
        as(user).contentType(ContentType.JSON).body("{\"content\":\"fails upstream\"}")
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(503);
        awaitNoneRunning();

        upstream.behave(UpstreamBehavior.reply("one", " two", " three").stallAfter(1));
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"caller leaves\"}")) {
            sse.next();
            sse.next();
        }
        awaitNoneRunning();

        upstream.reset();
        as(user).contentType(ContentType.JSON).body("{\"content\":\"plain\"}")
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
        awaitNoneRunning();
    }

    /** Neither the turn nor its request is left behind, whether the response ended or the caller hung up. */
    private void awaitNoneRunning() {
        await().atMost(Duration.ofSeconds(10)).until(() -> running.count() == 0 && requests.running() == 0);
    }
}
