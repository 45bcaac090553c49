package io.microchatbot.rest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code chatbot.turn.when-caller-leaves=stop}: a caller hanging up cuts its streamed turn. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@TestProfile(CallerLeavesStopTest.StopWhenCallerLeaves.class)
class CallerLeavesStopTest {

    public static class StopWhenCallerLeaves implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chatbot.turn.when-caller-leaves", "stop");
        }
    }

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void callerHangingUpMidStreamLeavesThePartialReplyStoredAsIncomplete() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("kept", " part", " never sent").gateAfter(2, gate));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"go\",\"stream\":true}")) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            assertThat(sse.next().json().getString("content")).isEqualTo("kept");
            assertThat(sse.next().json().getString("content")).isEqualTo(" part");
        } // hangs up here

        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(200)
                        .extract().jsonPath();
                assertThat(stored.getInt("total_count")).isEqualTo(2);
                assertThat(stored.getString("messages[1].content")).isEqualTo("kept part");
                assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("incomplete");
                assertThat(stored.getString("messages[1].metadata.error.code")).isEqualTo("client_disconnected");
            });
        } finally {
            gate.complete(null);
        }
        // the conversation is free again for the next turn
        as(user).contentType("application/json").body("{\"content\":\"again\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }
}
