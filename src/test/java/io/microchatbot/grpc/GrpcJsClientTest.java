package io.microchatbot.grpc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service called by a Node.js program with the official grpc-js client and the service's .proto file
 * (src/test/grpc-js/client.mjs): reflection as grpcurl uses it, health, every kind of call, error details, a
 * deadline, a cancelled stream. The program asserts as it goes; its partial stream is checked here.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class GrpcJsClientTest {

    private static final Path CLIENT = Path.of("src/test/grpc-js");
    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aNodeCallerDiscoversCallsAndReadsTheServiceLikeAnyGrpcClient() throws Exception {
        assertThat(CLIENT.resolve("node_modules/@grpc/grpc-js")).as("run `npm ci --prefix src/test/grpc-js`")
                .isDirectory();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        // The program's turns, in order: SendMessage, SendMessageStream, then the stream it cancels.
        upstream.script(FakeLlmServer.defaultBehavior(), FakeLlmServer.defaultBehavior(),
                UpstreamBehavior.reply("partial", " never sent").gateAfter(1, gate));
        String user = newUser();
        try {
            Process node = new ProcessBuilder("node", "client.mjs", Integer.toString(RestAssured.port), user)
                    .directory(CLIENT.toFile()).redirectErrorStream(true).start();
            boolean ended = node.waitFor(60, TimeUnit.SECONDS);
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ended).as("node ended in time: %s", output).isTrue();
            assertThat(node.exitValue()).as("node's output: %s", output).isZero();

            JsonObject facts = new JsonObject(output.lines().reduce((first, last) -> last).orElseThrow());
            assertThat(facts.getInteger("reflected_methods")).isEqualTo(10);
            String cancelled = facts.getString("cancelled_conversation");
            // The stream the program left ran on until the program cancelled the turn with CancelTurn.
            JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", cancelled).then().extract()
                    .jsonPath();
            assertThat(stored.getString("messages[1].content")).isEqualTo("partial");
            assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("incomplete");
            assertThat(stored.getString("messages[1].metadata.error.code")).isEqualTo("cancelled");
        } finally {
            gate.complete(null);
        }
    }

}
