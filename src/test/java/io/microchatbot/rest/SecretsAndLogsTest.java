package io.microchatbot.rest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class SecretsAndLogsTest {

    private static final Path LOG = Path.of("target/quarkus-test.log");
    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void providerRejectingOurKeyIsA503WithoutTheKeyOrTheProvidersMessage() throws Exception {
        upstream.behave(UpstreamBehavior.status(401));
        String user = newUser();
        String id = conversation(user);
        String correlationId = "it-" + UUID.randomUUID();

        as(user).header("X-Request-ID", correlationId).contentType(ContentType.JSON).body("{\"content\":\"hi\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(503)
                .header("X-Request-ID", correlationId)
                .body("code", equalTo("llm_unavailable"))
                .body("correlation_id", equalTo(correlationId))
                .body(not(containsString(FakeLlmResource.API_KEY)))
                .body(not(containsString("sk-secret")));

        String log = Files.readString(LOG);
        assertThat(log).contains("cid=" + correlationId);
        assertThat(log).doesNotContain(FakeLlmResource.API_KEY);
        assertThat(log).doesNotContain("sk-secret");
        assertThat(upstream.lastRequest().authorization()).isEqualTo("Bearer " + FakeLlmResource.API_KEY);
    }

    @Test
    void storedFailedReplyDoesNotQuoteTheProvider() {
        upstream.behave(UpstreamBehavior.status(400));
        String user = newUser();
        String id = conversation(user);
        as(user).contentType(ContentType.JSON).body("{\"content\":\"hi\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(502).body("code", equalTo("llm_bad_response"));
        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body(not(containsString("sk-secret")))
                .body("messages[1].metadata.error.code", equalTo("llm_bad_response"));
    }
}
