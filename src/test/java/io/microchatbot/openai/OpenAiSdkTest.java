package io.microchatbot.openai;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.Api;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.openai.OpenAiCalls.awaitUsageRow;
import static io.microchatbot.openai.OpenAiChatCompletionsTest.streamEvent;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service called by the official {@code openai} Node SDK (src/test/openai-js/client.mjs), the client most
 * callers of this door will use: whole and streamed answers, tools, structured output, a stream that breaks, a
 * refused caller and the model list, each as the SDK reads them.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class OpenAiSdkTest {

    private static final Path CLIENT = Path.of("src/test/openai-js");
    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String user = newUser();

    @BeforeEach
    void sdkInstalled() {
        assertThat(CLIENT.resolve("node_modules/openai")).as("run `npm ci --prefix src/test/openai-js`").isDirectory();
    }

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aWholeAnswerIsReadByTheSdk() throws Exception {
        JsonObject answer = run("complete", Map.of("X-User-ID", user));
        assertThat(answer.getString("content")).isEqualTo("Hello from the fake model.");
        assertThat(answer.getString("object")).isEqualTo("chat.completion");
        assertThat(answer.getString("finish_reason")).isEqualTo("stop");
        assertThat(answer.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(16);
        assertThat(upstream.lastRequest().body().getJsonArray("messages").getJsonObject(0).getString("role"))
                .isEqualTo("system");
        assertThat(awaitUsageRow(user)).containsEntry("total_tokens", "16");
    }

    @Test
    void aStreamWithUsageIsAssembledByTheSdkAndEndsNormally() throws Exception {
        JsonObject answer = run("stream", Map.of("X-User-ID", user));
        assertThat(answer.getString("text")).isEqualTo("Hello from the fake model.");
        assertThat(answer.getString("finish_reason")).isEqualTo("stop");
        assertThat(answer.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 11)
                .put("completion_tokens", 5).put("total_tokens", 16));
        assertThat(answer.getBoolean("ended_normally")).isTrue();
        assertThat(awaitUsageRow(user)).containsEntry("total_tokens", "16");
    }

    @Test
    void theSdkReadsToolCallsWholeAndStreamed() throws Exception {
        JsonObject call = new JsonObject().put("id", "call_7").put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Braga\"}"));
        upstream.script(UpstreamBehavior.garbage(new JsonObject().put("object", "chat.completion")
                .put("model", FakeLlmServer.MODEL)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "tool_calls")
                        .put("message", new JsonObject().put("role", "assistant").putNull("content")
                                .put("tool_calls", new JsonArray().add(call)))))
                .encode()));
        JsonObject whole = run("tools", Map.of("X-User-ID", user));
        assertThat(whole.getValue("content")).isNull();
        assertThat(whole.getString("finish_reason")).isEqualTo("tool_calls");
        assertThat(whole.getJsonArray("tool_calls")).containsExactly(call);
        assertThat(upstream.lastRequest().body().getJsonArray("tools").getJsonObject(0).getJsonObject("function")
                .getString("name")).isEqualTo("get_weather");

        upstream.script(UpstreamBehavior.garbage(streamEvent(new JsonObject().put("role", "assistant")
                .put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0).put("id", "call_8")
                        .put("type", "function").put("function", new JsonObject().put("name", "get_weather")
                                .put("arguments", "")))),
                null)
                + streamEvent(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", "{\"city\":\"Evora\"}")))), null)
                + streamEvent(new JsonObject(), "tool_calls") + "data: [DONE]\n\n"));
        JsonObject streamed = run("stream_tools", Map.of("X-User-ID", user));
        assertThat(streamed.getString("finish_reason")).isEqualTo("tool_calls");
        assertThat(streamed.getJsonArray("tool_calls")).containsExactly(new JsonObject().put("id", "call_8")
                .put("type", "function").put("function", new JsonObject().put("name", "get_weather")
                        .put("arguments", "{\"city\":\"Evora\"}")));
    }

    @Test
    void aJsonSchemaResponseFormatReachesTheProviderAsSent() throws Exception {
        upstream.behave(UpstreamBehavior.reply("{\"city\":", "\"Lisbon\"}"));
        JsonObject answer = run("json_schema", Map.of("X-User-ID", user));
        assertThat(new JsonObject(answer.getString("content"))).isEqualTo(new JsonObject().put("city", "Lisbon"));
        JsonObject format = upstream.lastRequest().body().getJsonObject("response_format");
        assertThat(format.getString("type")).isEqualTo("json_schema");
        assertThat(format.getJsonObject("json_schema").getString("name")).isEqualTo("weather");
        assertThat(format.getJsonObject("json_schema").getBoolean("strict")).isTrue();
        assertThat(format.getJsonObject("json_schema").getJsonObject("schema")).isEqualTo(new JsonObject()
                .put("type", "object").put("properties", new JsonObject().put("city", new JsonObject()
                        .put("type", "string")))
                .put("required", new JsonArray().add("city")).put("additionalProperties", false));
    }

    @Test
    void aStreamThatBreaksMidWayThrowsInTheSdkInsteadOfEndingAsComplete() throws Exception {
        upstream.behave(UpstreamBehavior.reply("Half", " an", " answer", " never", " ends").breakAfter(2));
        JsonObject answer = run("broken_stream", Map.of("X-User-ID", user));
        assertThat(answer.getBoolean("threw")).as("the SDK's iteration threw: %s", answer).isTrue();
        assertThat(answer.getBoolean("is_api_error")).isTrue();
        assertThat(answer.getString("code")).isEqualTo("llm_unavailable");
        assertThat(answer.getString("type")).isEqualTo("server_error");
        assertThat(answer.getString("text")).isEqualTo("Half an");
    }

    @Test
    void aCallerWithoutCredentialsGetsTheSdksAuthenticationError() throws Exception {
        JsonObject answer = run("refused", Map.of());
        assertThat(answer.getString("error_class")).isEqualTo("AuthenticationError");
        assertThat(answer.getInteger("status")).isEqualTo(401);
        assertThat(answer.getString("code")).isEqualTo("unauthenticated");
        assertThat(answer.getString("type")).isEqualTo("authentication_error");
        assertThat(answer.getString("message")).startsWith("401 ");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aValidationFailureIsTheSdksBadRequestErrorNamingTheParameter() throws Exception {
        JsonObject answer = run("refused", Map.of("X-User-ID", user), "no such model");
        assertThat(answer.getString("error_class")).isEqualTo("BadRequestError");
        assertThat(answer.getString("code")).isEqualTo("validation_failed");
        assertThat(answer.getString("param")).isEqualTo("model");
    }

    @Test
    void theSdkListsTheModels() throws Exception {
        JsonObject answer = run("models", Map.of("X-User-ID", user));
        assertThat(answer.getJsonArray("models")).containsExactly(new JsonObject().put("id", FakeLlmServer.MODEL)
                .put("object", "model").put("owned_by", "openai-compatible"));
    }

    @Test
    void boundToAConversationTheSdksToolLoopStoresTheExchange() throws Exception {
        String conversation = Api.conversation(Api.as(user),
                Map.of("system_prompt", "You answer about weather."));
        JsonObject call = new JsonObject().put("id", "call_b1").put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Faro\"}"));
        upstream.script(UpstreamBehavior.garbage(new JsonObject().put("object", "chat.completion")
                .put("model", FakeLlmServer.MODEL)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "tool_calls")
                        .put("message", new JsonObject().put("role", "assistant").putNull("content")
                                .put("tool_calls", new JsonArray().add(call)))))
                .encode()));

        JsonObject answer = run("bound_tool_round_trip", Map.of("X-User-ID", user, "X-Conversation-ID", conversation));

        assertThat(answer.getString("first_finish_reason")).isEqualTo("tool_calls");
        assertThat(answer.getJsonObject("call")).isEqualTo(call);
        assertThat(answer.getString("content")).isEqualTo("Hello from the fake model.");
        // The history the provider got is the service's: its system prompt, not the request's developer message.
        JsonArray sent = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(sent.stream().map(m -> ((JsonObject) m).getString("role")).toList())
                .containsExactly("system", "user", "assistant", "tool");
        assertThat(sent.getJsonObject(0).getString("content")).isEqualTo("You answer about weather.");
        Api.as(user).get("/api/v1/conversations/{id}/messages", conversation).then()
                .statusCode(200)
                .body("messages.message_type", Matchers.equalTo(
                        List.of("user", "assistant", "tool", "assistant")))
                .body("messages[1].tool_calls[0].id", Matchers.equalTo("call_b1"))
                .body("messages[2].tool_call_id", Matchers.equalTo("call_b1"));
    }

    private static JsonObject run(String scenario, Map<String, String> headers) throws Exception {
        return run(scenario, headers, FakeLlmServer.MODEL);
    }

    private static JsonObject run(String scenario, Map<String, String> headers, String model) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("node", "client.mjs",
                "http://127.0.0.1:" + RestAssured.port + "/v1", scenario)
                .directory(CLIENT.toFile()).redirectErrorStream(true);
        builder.environment().put("OPENAI_API_KEY", "sk-ignored-in-this-auth-mode");
        builder.environment().put("EXTRA_HEADERS", new JsonObject(new HashMap<>(headers)).encode());
        builder.environment().put("MODEL", model);
        Process node = builder.start();
        boolean ended = node.waitFor(60, TimeUnit.SECONDS);
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("node ended in time: %s", output).isTrue();
        assertThat(node.exitValue()).as("node's output: %s", output).isZero();
        return new JsonObject(output.lines().reduce((first, last) -> last).orElseThrow());
    }
}
