package io.microchatbot.openai;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.openai.OpenAiCalls.COMPLETIONS;
import static io.microchatbot.openai.OpenAiCalls.as;
import static io.microchatbot.openai.OpenAiCalls.awaitUsageRow;
import static io.microchatbot.openai.OpenAiCalls.body;
import static io.microchatbot.openai.OpenAiCalls.usageOf;
import static io.microchatbot.openai.OpenAiCalls.user;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

/** POST /v1/chat/completions against the fake provider: answers, streams, pass-through, upstream failures, usage. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class OpenAiChatCompletionsTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String user = newUser();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aWholeAnswerIsAChatCompletionAndItsUsageIsRecorded() {
        String tenant = newTenant();
        JsonPath answer = as(tenant, user).body(body("Hi").encode()).post(COMPLETIONS)
                .then().statusCode(200)
                .contentType("application/json")
                .body("id", matchesPattern("chatcmpl-[0-9a-f-]{36}"))
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo(FakeLlmServer.MODEL))
                .body("choices.size()", equalTo(1))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo("Hello from the fake model."))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.prompt_tokens", equalTo(11))
                .body("usage.completion_tokens", equalTo(5))
                .body("usage.total_tokens", equalTo(16))
                .extract().jsonPath();
        assertThat(answer.getLong("created")).isCloseTo(System.currentTimeMillis() / 1000,
                org.assertj.core.data.Offset.offset(60L));
        assertThat(answer.getMap("choices[0].message")).doesNotContainKey("tool_calls");

        Map<String, String> row = awaitUsageRow(user);
        assertThat(row).containsEntry("tenant_id", tenant).containsEntry("source", "openai")
                .containsEntry("model", FakeLlmServer.MODEL).containsEntry("provider", "openai-compatible")
                .containsEntry("prompt_tokens", "11").containsEntry("completion_tokens", "5")
                .containsEntry("total_tokens", "16").containsEntry("api_key_id", "null");
    }

    @Test
    void aStreamSendsTheRoleTheDeltasTheFinishTheUsageAndDoneAndRecordsTheProvidersUsage() throws Exception {
        JsonObject request = body("Hi").put("stream", true).put("stream_options",
                new JsonObject().put("include_usage", true));
        List<Event> events;
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null, request.encode())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            events = stream.rest();
        }
        assertThat(events).allSatisfy(event -> assertThat(event.name()).isNull());
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream().map(Event::json).toList();
        assertThat(chunks).extracting(chunk -> chunk.getString("object")).containsOnly("chat.completion.chunk");
        assertThat(chunks).extracting(chunk -> chunk.getString("id")).containsOnly(chunks.get(0).getString("id"));
        JsonObject first = chunks.get(0).getJsonArray("choices").getJsonObject(0);
        assertThat(first.getJsonObject("delta").getString("role")).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        chunks.subList(0, chunks.size() - 2).forEach(chunk -> text.append(chunk.getJsonArray("choices")
                .getJsonObject(0).getJsonObject("delta").getString("content", "")));
        assertThat(text).hasToString("Hello from the fake model.");
        JsonObject finish = chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0);
        assertThat(finish.getString("finish_reason")).isEqualTo("stop");
        assertThat(finish.getJsonObject("delta")).isEqualTo(new JsonObject());
        JsonObject usage = chunks.get(chunks.size() - 1);
        assertThat(usage.getJsonArray("choices")).isEmpty();
        assertThat(usage.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 11)
                .put("completion_tokens", 5).put("total_tokens", 16));

        assertThat(awaitUsageRow(user)).containsEntry("prompt_tokens", "11").containsEntry("completion_tokens", "5")
                .containsEntry("total_tokens", "16");
    }

    @Test
    void aStreamWithoutIncludeUsageHasNoUsageChunkButTheProviderIsAskedForItAndItIsRecorded() throws Exception {
        List<Event> events;
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Hi").put("stream", true).encode())) {
            events = stream.rest();
        }
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(event -> {
            assertThat(event.json().getJsonArray("choices")).hasSize(1);
            assertThat(event.json().containsKey("usage")).isFalse();
        });
        assertThat(upstream.lastRequest().body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        assertThat(awaitUsageRow(user)).containsEntry("total_tokens", "16");
    }

    @Test
    void aProviderReportingNoUsageIsRecordedWithAnEstimate() throws Exception {
        upstream.behave(FakeLlmServer.defaultBehavior().withoutUsage());
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Count my tokens, please").put("stream", true)
                        .put("stream_options", new JsonObject().put("include_usage", true)).encode())) {
            List<Event> events = stream.rest();
            JsonObject usage = events.get(events.size() - 2).json().getJsonObject("usage");
            assertThat(usage.getInteger("prompt_tokens")).isPositive();
            assertThat(usage.getInteger("completion_tokens")).isPositive();
        }
        Map<String, String> row = awaitUsageRow(user);
        assertThat(Integer.parseInt(row.get("prompt_tokens"))).isBetween(5, 20);
        assertThat(Integer.parseInt(row.get("completion_tokens"))).isBetween(3, 10);
    }

    @Test
    void everyParameterReachesTheProviderAndDeveloperIsSentAsSystem() {
        JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "get_weather").put("description", "Weather of a city")
                .put("parameters", new JsonObject().put("type", "object")).put("strict", true));
        JsonObject call = new JsonObject().put("id", "call_1").put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Lisbon\"}"));
        JsonObject request = new JsonObject().put("model", FakeLlmServer.MODEL)
                .put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "developer").put("content", "Be terse."))
                        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                                .add(new JsonObject().put("type", "text").put("text", "Weather "))
                                .add(new JsonObject().put("type", "text").put("text", "in Lisbon?"))))
                        .add(new JsonObject().put("role", "assistant").putNull("content")
                                .put("tool_calls", new JsonArray().add(call)))
                        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "21 C")))
                .put("temperature", 0.2).put("top_p", 0.9).put("max_completion_tokens", 100).put("stop", "END")
                .put("seed", 42).put("user", "end-user-7").put("tools", new JsonArray().add(tool))
                .put("tool_choice", new JsonObject().put("type", "function")
                        .put("function", new JsonObject().put("name", "get_weather")))
                .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
                        new JsonObject().put("name", "weather").put("strict", true)
                                .put("schema", new JsonObject().put("type", "object"))))
                // what SDKs send and this service ignores
                .put("frequency_penalty", 0).put("parallel_tool_calls", true).put("metadata", new JsonObject())
                .put("n", 1);
        upstream.behave(UpstreamBehavior.reply("{\"temp\": 21}")); // what the response format asks for
        as(user).body(request.encode()).post(COMPLETIONS).then().statusCode(200);

        JsonObject sent = upstream.lastRequest().body();
        assertThat(sent.getJsonArray("messages")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", "Be terse."))
                .add(new JsonObject().put("role", "user").put("content", "Weather in Lisbon?"))
                .add(new JsonObject().put("role", "assistant").putNull("content")
                        .put("tool_calls", new JsonArray().add(call)))
                .add(new JsonObject().put("role", "tool").put("content", "21 C").put("tool_call_id", "call_1")));
        assertThat(sent.getDouble("temperature")).isEqualTo(0.2);
        assertThat(sent.getDouble("top_p")).isEqualTo(0.9);
        assertThat(sent.getInteger("max_tokens")).isEqualTo(100);
        assertThat(sent.getJsonArray("stop")).containsExactly("END");
        assertThat(sent.getLong("seed")).isEqualTo(42);
        assertThat(sent.getString("user")).isEqualTo("end-user-7");
        assertThat(sent.getJsonArray("tools")).containsExactly(tool);
        assertThat(sent.getJsonObject("tool_choice")).isEqualTo(request.getJsonObject("tool_choice"));
        assertThat(sent.getJsonObject("response_format")).isEqualTo(request.getJsonObject("response_format"));
        assertThat(sent.fieldNames()).doesNotContain("frequency_penalty", "parallel_tool_calls", "metadata", "n");
    }

    @Test
    void absentSamplingParametersTakeTheServiceDefaults() {
        as(user).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(200);
        JsonObject sent = upstream.lastRequest().body();
        assertThat(sent.getInteger("max_tokens")).isEqualTo(1024);
        assertThat(sent.getDouble("temperature")).isEqualTo(0.7);
        assertThat(sent.fieldNames()).doesNotContain("top_p", "stop", "seed", "tools", "tool_choice",
                "response_format");
    }

    @Test
    void toolCallsOfAWholeAnswerAreOpenAisWithNullContent() {
        upstream.behave(UpstreamBehavior.garbage(new JsonObject().put("id", "x").put("object", "chat.completion")
                .put("model", FakeLlmServer.MODEL)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "tool_calls")
                        .put("message", new JsonObject().put("role", "assistant").putNull("content")
                                .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_9")
                                        .put("type", "function").put("function", new JsonObject()
                                                .put("name", "get_weather").put("arguments", "{\"city\":\"Porto\"}")))))))
                .put("usage", new JsonObject().put("prompt_tokens", 20).put("completion_tokens", 7)
                        .put("total_tokens", 27))
                .encode()));
        as(user).body(body("Weather in Porto?").encode()).post(COMPLETIONS).then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("tool_calls"))
                .body("choices[0].message.content", nullValue())
                .body("choices[0].message.tool_calls[0].id", equalTo("call_9"))
                .body("choices[0].message.tool_calls[0].type", equalTo("function"))
                .body("choices[0].message.tool_calls[0].function.name", equalTo("get_weather"))
                .body("choices[0].message.tool_calls[0].function.arguments", equalTo("{\"city\":\"Porto\"}"))
                .body("usage.total_tokens", equalTo(27));
        assertThat(awaitUsageRow(user)).containsEntry("total_tokens", "27");
    }

    @Test
    void streamedToolCallsAreDeltasByIndexAsOpenAiSendsThem() throws Exception {
        String sse = streamEvent(new JsonObject().put("role", "assistant").putNull("content")
                .put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0).put("id", "call_1")
                        .put("type", "function").put("function", new JsonObject().put("name", "get_weather")
                                .put("arguments", "")))),
                null)
                + streamEvent(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", "{\"city\":")))), null)
                + streamEvent(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", "\"Faro\"}")))), null)
                + streamEvent(new JsonObject(), "tool_calls")
                + "data: [DONE]\n\n";
        upstream.behave(UpstreamBehavior.garbage(sse));
        List<Event> events;
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Weather in Faro?").put("stream", true).encode())) {
            events = stream.rest();
        }
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        List<JsonObject> deltas = events.subList(1, events.size() - 2).stream()
                .map(event -> event.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta")).toList();
        assertThat(deltas).containsExactly(
                new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("id", "call_1").put("type", "function")
                        .put("function", new JsonObject().put("name", "get_weather").put("arguments", "")))),
                new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", "{\"city\":")))),
                new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", "\"Faro\"}")))));
        assertThat(events.get(events.size() - 2).json().getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason")).isEqualTo("tool_calls");
        // No usage from this provider: estimated from the prompt and the call it streamed.
        assertThat(Integer.parseInt(awaitUsageRow(user).get("completion_tokens"))).isPositive();
    }

    @Test
    void anUpstreamFailureBeforeTheFirstTokenIsAProblemWithOpenAisErrorMemberAndRecordsNothing() throws Exception {
        upstream.behave(UpstreamBehavior.status(500));
        as(user).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("\\d+"))
                .body("code", equalTo("llm_unavailable"))
                .body("status", equalTo(503))
                .body("error.code", equalTo("llm_unavailable"))
                .body("error.type", equalTo("server_error"))
                .body("error.message", matchesPattern(".+"));
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Hi").put("stream", true).encode())) {
            assertThat(stream.status()).isEqualTo(503);
            assertThat(stream.header("Content-Type")).startsWith("application/problem+json");
            JsonObject problem = new JsonObject(stream.body());
            assertThat(problem.getString("code")).isEqualTo("llm_unavailable");
            assertThat(problem.getJsonObject("error").getString("code")).isEqualTo("llm_unavailable");
        }
        Thread.sleep(300);
        assertThat(usageOf(user)).isEmpty();
    }

    @Test
    void aReplyNotInTheRequestedFormatIsAnInvalidOutputProblemOrErrorEventNeverAnAnswer() throws Exception {
        JsonObject format = new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject()
                .put("name", "city").put("schema", new JsonObject().put("type", "object")
                        .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string")))
                        .put("required", new JsonArray().add("city"))));
        upstream.script(UpstreamBehavior.reply("{\"town\": \"Porto\"}"), UpstreamBehavior.reply("Porto, ", "I think"));

        as(user).body(body("Where?").put("response_format", format).encode()).post(COMPLETIONS)
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("code", equalTo("llm_invalid_output"))
                .body("error.code", equalTo("llm_invalid_output"));

        List<Event> events;
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Where?").put("response_format", format).put("stream", true).encode())) {
            assertThat(stream.status()).isEqualTo(200);
            events = stream.restUntilCut();
        }
        assertThat(events).extracting(Event::data).doesNotContain("[DONE]");
        assertThat(events.get(events.size() - 1).json().getJsonObject("error").getString("code"))
                .isEqualTo("llm_invalid_output");
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(event -> assertThat(event.json()
                .getJsonArray("choices").getJsonObject(0).getValue("finish_reason")).isNull());
    }

    @Test
    void aStreamBrokenMidWayEndsWithOneErrorEventAndNoDone() throws Exception {
        upstream.behave(UpstreamBehavior.reply("Half", " an", " answer", " never", " ends").breakAfter(2));
        List<Event> events;
        try (SseClient stream = SseClient.post(RestAssured.port, COMPLETIONS, user, null,
                body("Hi").put("stream", true).encode())) {
            assertThat(stream.status()).isEqualTo(200);
            events = stream.restUntilCut();
        }
        assertThat(events).extracting(Event::data).doesNotContain("[DONE]");
        Event last = events.get(events.size() - 1);
        JsonObject error = last.json().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("llm_unavailable");
        assertThat(error.getString("type")).isEqualTo("server_error");
        assertThat(last.json().getString("correlation_id")).isNotBlank();
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(event -> assertThat(event.json()
                .getJsonArray("choices").getJsonObject(0).getValue("finish_reason")).isNull());
        // The tokens streamed before the break were paid for: recorded, estimated.
        assertThat(Integer.parseInt(awaitUsageRow(user).get("completion_tokens"))).isPositive();
    }

    @Test
    void aDeadlineTooShortToStartIs504BeforeTheProviderIsCalled() {
        as(user).header("Request-Timeout", "0.2").body(body("Hi").encode()).post(COMPLETIONS)
                .then().statusCode(504).body("code", equalTo("deadline_exceeded"))
                .body("error.code", equalTo("deadline_exceeded"));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aModelOffTheTenantsListIsRefusedAndTheListIsWhatModelsShows() throws Exception {
        String tenant = "openai-restricted";
        as(tenant, user).body(body("Hi").put("model", "gpt-4o").encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("model_not_allowed"))
                .body("errors[0].field", equalTo("model"))
                .body("error.code", equalTo("model_not_allowed"))
                .body("error.param", equalTo("model"))
                .body("error.type", equalTo("invalid_request_error"));
        assertThat(upstream.received()).isEmpty();
        as(tenant, user).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(200);
        as(tenant, user).get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", equalTo(List.of(FakeLlmServer.MODEL)));
        Thread.sleep(300);
        assertThat(usageOf(user)).hasSize(1);
    }

    @Test
    void modelsListsTheDefaultModelWhenNoListIsSetAndOneModelCanBeRead() {
        as(user).get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.size()", equalTo(1))
                .body("data[0].id", equalTo(FakeLlmServer.MODEL))
                .body("data[0].object", equalTo("model"))
                .body("data[0].created", equalTo(0))
                .body("data[0].owned_by", equalTo("openai-compatible"));
        as(user).get("/v1/models/{model}", FakeLlmServer.MODEL).then().statusCode(200)
                .body("id", equalTo(FakeLlmServer.MODEL));
        as(user).get("/v1/models/{model}", "gpt-unknown").then().statusCode(404)
                .body("code", equalTo("not_found")).body("error.type", equalTo("not_found_error"));
    }

    @Test
    void answersAreCountedByStreamAndOutcome() {
        as(user).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(200);
        as(user).body(new JsonObject().put("model", FakeLlmServer.MODEL).encode()).post(COMPLETIONS)
                .then().statusCode(400);
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("chatbot_openai_requests_total\\{[^}]*outcome=\"answered\",stream=\"false\"");
        assertThat(metrics).containsPattern("chatbot_openai_requests_total\\{[^}]*outcome=\"refused\",stream=\"false\"");
    }

    static String streamEvent(JsonObject delta, String finishReason) {
        JsonObject choice = new JsonObject().put("index", 0).put("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return "data: " + new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("model", FakeLlmServer.MODEL).put("choices", new JsonArray().add(choice)).encode() + "\n\n";
    }

    static JsonObject userMessage(String content) {
        return user(content);
    }
}
