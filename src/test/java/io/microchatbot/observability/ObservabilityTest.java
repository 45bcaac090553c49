package io.microchatbot.observability;

import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class ObservabilityTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void reset() {
        upstream.reset();
    }

    @Test
    void theHealthPathsOfEarlierServicesAnswerWithTheStandardChecks() {
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("llm", "redis", "migrations"));
        given().get("/health/db").then().statusCode(200).body("checks.name", hasItems("postgresql"))
                .body("checks.find { it.name == 'postgresql' }.status", equalTo("UP"));
        given().get("/health/detailed").then().statusCode(200).body("checks.name", hasItems("llm", "redis"));
        given().get("/q/health/started").then().statusCode(200)
                .body("checks.find { it.name == 'migrations' }.data.schema_version", org.hamcrest.Matchers.notNullValue());
        given().get("/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void aScriptedTurnShowsUpInEveryNamedMetricWithLowCardinalityLabels() throws Exception {
        String user = newUser();
        String id = conversation(user);
        upstream.script(UpstreamBehavior.status(500), UpstreamBehavior.reply("after", " a retry"));
        as(user).contentType(ContentType.JSON).body(Map.of("content", "hello"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"stream it\"}")) {
            sse.rest();
        }

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        String model = "model=\"" + FakeLlmServer.MODEL + "\"";
        assertThat(metrics)
                .containsPattern("chatbot_llm_request_seconds_bucket\\{[^}]*outcome=\"retried\",[^}]*le=\"1\\.0\"\\}")
                .containsPattern("chatbot_llm_request_seconds_count\\{[^}]*" + Pattern.quote(model)
                        + ",outcome=\"success\",provider=\"[^\"]+\"\\}")
                .containsPattern("chatbot_llm_first_token_seconds_bucket\\{[^}]*le=\"0\\.1\"\\}")
                .containsPattern("chatbot_llm_tokens_total\\{[^}]*type=\"prompt\"")
                .containsPattern("chatbot_llm_tokens_total\\{[^}]*type=\"completion\"")
                .containsPattern("chatbot_turns_total\\{mode=\"json\",status=\"complete\"\\}")
                .containsPattern("chatbot_turns_total\\{mode=\"stream\",status=\"complete\"\\}")
                .contains("chatbot_streams_active 0.0")
                .contains("chatbot_conversations_created_total")
                .containsPattern("http_server_requests_seconds_bucket\\{method=\"POST\",outcome=\"SUCCESS\",status=\"201\","
                        + "uri=\"/api/v1/conversations/\\{id\\}/messages\",le=\"0\\.05\"\\}")
                .contains("chatbot_commands_dead_letter_length")
                .contains("chatbot_outbox_lag_seconds")
                .contains("ft_circuitbreaker_state_current");
        // Route templates, never ids.
        assertThat(metrics).doesNotContain(id);
    }
}
