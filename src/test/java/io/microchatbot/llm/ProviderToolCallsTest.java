package io.microchatbot.llm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.config.StrictJson;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.FakeToolCall;
import io.microchatbot.testing.OnVertxContext;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tool calls, structured output and sampling through the real OpenAI-compatible client over a socket, against the
 * fake provider: what goes on the wire, and what comes back from whole and streamed replies. Plain JUnit (no
 * Quarkus, no database): the provider gets the application's strict ObjectMapper and the documented config defaults,
 * and is called on a duplicated Vert.x context, as the service calls it. (Called from a plain thread, Vert.x 4.5's
 * client now and then loses a pooled connection's response body or stalls a stream, text replies alike.)
 */
class ProviderToolCallsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = strictMapper();
    private static final JsonNode CITY_SCHEMA = json("""
            {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");
    private static final Tool WEATHER = new Tool("get_weather", "Current weather in a city", CITY_SCHEMA, true);
    private static final FakeToolCall PARIS = new FakeToolCall("call_paris", "get_weather", "{\"city\":\"Paris\"}");
    private static final FakeToolCall OSLO = new FakeToolCall("call_oslo", "get_weather",
            "{\"city\":\"Oslo\",\"unit\":\"celsius\"}");
    private static final List<ChatMessage> QUESTION = List.of(new ChatMessage("user", "Weather in Paris and Oslo?"));

    private static FakeLlmServer upstream;
    private static Vertx vertx;
    private static OpenAiCompatibleProvider provider;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeLlmServer();
        int port = upstream.start();
        vertx = Vertx.vertx();
        provider = new OpenAiCompatibleProvider(vertx, JSON, defaults(), 4, "fake",
                "http://127.0.0.1:" + port + "/v1", Optional.of("sk-test"));
    }

    @AfterAll
    static void stop() throws Exception {
        provider.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        upstream.stop();
    }

    @BeforeEach
    void defaultReply() {
        upstream.behave(FakeLlmServer.defaultBehavior());
    }

    @Test
    void toolsSamplingAndJsonSchemaAreSentAsOpenAiNamesThem() {
        Tool clock = new Tool("now", null, null, null);
        ResponseFormat format = new ResponseFormat(ResponseFormat.JSON_SCHEMA, "forecast", CITY_SCHEMA, true);
        Sampling sampling = new Sampling(256, 0.2, 0.9, List.of("END", "STOP"), 42L, "user-7");

        complete(new LlmRequest("m", QUESTION, sampling, List.of(WEATHER, clock), ToolChoice.function("get_weather"),
                format));

        JsonObject body = upstream.lastRequest().body();
        assertThat(body.getJsonArray("tools")).isEqualTo(new JsonArray("""
                [{"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
                  "parameters":%s,"strict":true}},
                 {"type":"function","function":{"name":"now"}}]""".formatted(CITY_SCHEMA)));
        assertThat(body.getValue("tool_choice"))
                .isEqualTo(new JsonObject("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
        assertThat(body.getValue("response_format")).isEqualTo(new JsonObject("""
                {"type":"json_schema","json_schema":{"name":"forecast","schema":%s,"strict":true}}"""
                .formatted(CITY_SCHEMA)));
        assertThat(body.getInteger("max_tokens")).isEqualTo(256);
        assertThat(body.getDouble("temperature")).isEqualTo(0.2);
        assertThat(body.getDouble("top_p")).isEqualTo(0.9);
        assertThat(body.getJsonArray("stop")).isEqualTo(new JsonArray(List.of("END", "STOP")));
        assertThat(body.getLong("seed")).isEqualTo(42L);
        assertThat(body.getString("user")).isEqualTo("user-7");
    }

    @Test
    void toolChoiceModesAndJsonObjectAreSentAsStrings() {
        for (String mode : List.of("auto", "none", "required")) {
            complete(new LlmRequest("m", QUESTION, Sampling.of(64, 0.5), List.of(WEATHER), ToolChoice.of(mode),
                    new ResponseFormat(ResponseFormat.JSON_OBJECT, null, null, null)));

            JsonObject body = upstream.lastRequest().body();
            assertThat(body.getValue("tool_choice")).isEqualTo(mode);
            assertThat(body.getValue("response_format")).isEqualTo(new JsonObject("{\"type\":\"json_object\"}"));
        }
    }

    @Test
    void optionalParametersLeftOutAreAbsentNotNull() {
        complete(new LlmRequest("m", QUESTION, 64, 0.5));

        JsonObject body = upstream.lastRequest().body();
        assertThat(body.fieldNames()).containsExactlyInAnyOrder("model", "messages", "max_tokens", "temperature",
                "stream");
        assertThat(body.getJsonArray("messages").getJsonObject(0).fieldNames())
                .containsExactlyInAnyOrder("role", "content");
    }

    @Test
    void anEmptyStopListIsNotSent() {
        complete(new LlmRequest("m", QUESTION, new Sampling(64, 0.5, null, List.of(), null, null), List.of(), null,
                null));

        assertThat(upstream.lastRequest().body().containsKey("stop")).isFalse();
    }

    @Test
    void earlierToolCallsAndTheirResultsAreSentBack() {
        List<ChatMessage> prompt = List.of(
                new ChatMessage("user", "Weather in Paris?"),
                new ChatMessage("assistant", "", List.of(new ToolCall("call_paris", "get_weather",
                        "{\"city\":\"Paris\"}")), null),
                new ChatMessage("tool", "{\"celsius\":21}", List.of(), "call_paris"),
                new ChatMessage("assistant", "Checking again.", List.of(new ToolCall("call_2", "get_weather",
                        "{\"city\":\"Paris\"}")), null));

        complete(new LlmRequest("m", prompt, Sampling.of(64, 0.5), List.of(WEATHER), null, null));

        JsonArray messages = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(messages.getJsonObject(1)).isEqualTo(new JsonObject("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_paris","type":"function",
                 "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}"""));
        assertThat(messages.getJsonObject(1).containsKey("content")).isTrue();
        assertThat(messages.getJsonObject(2)).isEqualTo(new JsonObject("""
                {"role":"tool","content":"{\\"celsius\\":21}","tool_call_id":"call_paris"}"""));
        assertThat(messages.getJsonObject(3).getString("content")).isEqualTo("Checking again.");
        assertThat(messages.getJsonObject(3).getJsonArray("tool_calls")).hasSize(1);
    }

    @Test
    void aWholeReplyWithToolCallsAndNoContentIsParsed() {
        UpstreamBehavior reply = UpstreamBehavior.toolCalls(PARIS, OSLO);
        upstream.behave(reply);

        LlmCompletion completion = complete(weatherRequest());

        assertThat(completion.toolCalls()).containsExactly(toolCall(PARIS), toolCall(OSLO));
        assertThat(completion.content()).isEmpty();
        assertThat(completion.finishReason()).isEqualTo("tool_calls");
        assertThat(completion.usage()).isEqualTo(new LlmUsage(11, reply.completionTokens(),
                11 + reply.completionTokens()));
    }

    @Test
    void aWholeReplyMayHoldTextAndToolCalls() {
        upstream.behave(UpstreamBehavior.reply("Let me ", "check.").withToolCalls(PARIS));

        LlmCompletion completion = complete(weatherRequest());

        assertThat(completion.content()).isEqualTo("Let me check.");
        assertThat(completion.toolCalls()).containsExactly(toolCall(PARIS));
        assertThat(completion.finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void aWholeReplyWithNeitherContentNorToolCallsIsABadResponse() {
        for (String message : List.of("{\"role\":\"assistant\",\"content\":null}",
                "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}")) {
            upstream.behave(UpstreamBehavior.garbage("""
                    {"id":"x","model":"m","choices":[{"index":0,"message":%s,"finish_reason":"stop"}]}"""
                    .formatted(message)));

            assertThatThrownBy(() -> complete(weatherRequest())).as(message)
                    .isInstanceOfSatisfying(LlmException.class, failure -> {
                        assertThat(failure.code()).isEqualTo(ErrorCode.llm_bad_response);
                        assertThat(failure.retryable()).isFalse();
                    });
        }
    }

    @Test
    void streamedToolCallsAreJoinedIntoTheCallsThenOneFinishedWithUsage() {
        UpstreamBehavior reply = UpstreamBehavior.toolCalls(PARIS, OSLO);
        upstream.behave(reply);

        List<LlmChunk> chunks = stream(weatherRequest());

        assertThat(chunks).filteredOn(LlmChunk.Delta.class::isInstance).isEmpty();
        assertThat(toolCallDeltas(chunks)).hasSize(2 * (1 + UpstreamBehavior.DEFAULT_ARGUMENT_FRAGMENTS));
        assertThat(assembled(chunks)).containsExactly(toolCall(PARIS), toolCall(OSLO));
        assertEndsWithOneFinished(chunks, "tool_calls",
                new LlmUsage(11, reply.completionTokens(), 11 + reply.completionTokens()));
    }

    @Test
    void interleavedStreamedCallsAreToldApartByTheirIndex() {
        upstream.behave(UpstreamBehavior.toolCalls(PARIS, OSLO).interleaved());

        List<LlmChunk> chunks = stream(weatherRequest());

        assertThat(toolCallDeltas(chunks).stream().map(LlmChunk.ToolCallDelta::index).limit(4))
                .containsExactly(0, 1, 0, 1);
        assertThat(assembled(chunks)).containsExactly(toolCall(PARIS), toolCall(OSLO));
        assertEndsWithOneFinished(chunks, "tool_calls", null);
    }

    @Test
    void streamedTextComesBeforeTheCalls() {
        upstream.behave(UpstreamBehavior.reply("Let me ", "check.").withToolCalls(PARIS));

        List<LlmChunk> chunks = stream(weatherRequest());

        assertThat(text(chunks)).isEqualTo("Let me check.");
        assertThat(chunks.indexOf(toolCallDeltas(chunks).get(0)))
                .isGreaterThan(chunks.lastIndexOf(new LlmChunk.Delta("check.")));
        assertThat(assembled(chunks)).containsExactly(toolCall(PARIS));
        assertEndsWithOneFinished(chunks, "tool_calls", null);
    }

    @Test
    void aStreamCutInsideAToolCallsArgumentsFailsWithoutFinished() {
        upstream.behave(UpstreamBehavior.toolCalls(PARIS, OSLO).breakInArguments(1, 1));

        Streamed result = streamed(weatherRequest());

        assertFailedWithoutFinished(result);
        assertThat(assembled(result.chunks())).containsExactly(toolCall(PARIS),
                new ToolCall(OSLO.id(), OSLO.name(), OSLO.fragments(UpstreamBehavior.DEFAULT_ARGUMENT_FRAGMENTS).get(0)));
    }

    @Test
    void aStreamCutAfterWholeCallsButBeforeFinishReasonStillFails() {
        UpstreamBehavior reply = UpstreamBehavior.toolCalls(PARIS);
        upstream.behave(reply.breakAfter(reply.pieces().size()));

        Streamed result = streamed(weatherRequest());

        assertFailedWithoutFinished(result);
        assertThat(assembled(result.chunks())).containsExactly(toolCall(PARIS));
    }

    @Test
    void structuredRepliesStreamAsPlainTextHoldingJson() {
        upstream.behave(UpstreamBehavior.reply("{\"city\":", "\"Paris\"}"));
        LlmRequest request = new LlmRequest("m", QUESTION, Sampling.of(64, 0.5), List.of(), null,
                new ResponseFormat(ResponseFormat.JSON_OBJECT, null, null, null));

        List<LlmChunk> chunks = stream(request);

        assertThat(text(chunks)).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(assembled(chunks)).isEmpty();
        assertEndsWithOneFinished(chunks, "stop", new LlmUsage(11, 2, 13));
        assertThat(complete(request).content()).isEqualTo("{\"city\":\"Paris\"}");
    }

    private static LlmRequest weatherRequest() {
        return new LlmRequest("m", QUESTION, Sampling.of(64, 0.5), List.of(WEATHER), ToolChoice.of("auto"), null);
    }

    /** A whole reply, asked for on a Vert.x context as the service asks (see the class comment). */
    private static LlmCompletion complete(LlmRequest request) {
        try {
            return OnVertxContext.start(vertx, provider.complete(request)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a stream emitted, and how it failed (null: it completed). */
    private record Streamed(List<LlmChunk> chunks, Throwable failure) {
    }

    private static Streamed streamed(LlmRequest request) {
        List<LlmChunk> chunks = new CopyOnWriteArrayList<>();
        var done = OnVertxContext.start(vertx, provider.stream(request).onItem().invoke(chunks::add).collect().asList());
        try {
            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new Streamed(List.copyOf(chunks), null);
        } catch (ExecutionException e) {
            return new Streamed(List.copyOf(chunks), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<LlmChunk> stream(LlmRequest request) {
        Streamed result = streamed(request);
        assertThat(result.failure()).isNull();
        return result.chunks();
    }

    private static void assertFailedWithoutFinished(Streamed result) {
        assertThat(result.failure()).isInstanceOf(LlmException.class);
        assertThat(((LlmException) result.failure()).code()).isEqualTo(ErrorCode.llm_unavailable);
        assertThat(result.chunks()).noneMatch(LlmChunk.Finished.class::isInstance);
    }

    private static void assertEndsWithOneFinished(List<LlmChunk> chunks, String finishReason, LlmUsage usage) {
        assertThat(chunks).filteredOn(LlmChunk.Finished.class::isInstance).hasSize(1);
        LlmChunk.Finished finished = (LlmChunk.Finished) chunks.get(chunks.size() - 1);
        assertThat(finished.finishReason()).isEqualTo(finishReason);
        if (usage != null) {
            assertThat(finished.usage()).isEqualTo(usage);
        }
    }

    private static List<LlmChunk.ToolCallDelta> toolCallDeltas(List<LlmChunk> chunks) {
        return chunks.stream().filter(LlmChunk.ToolCallDelta.class::isInstance).map(LlmChunk.ToolCallDelta.class::cast)
                .toList();
    }

    private static List<ToolCall> assembled(List<LlmChunk> chunks) {
        ToolCallAssembly assembly = new ToolCallAssembly();
        toolCallDeltas(chunks).forEach(assembly::add);
        return assembly.calls();
    }

    private static String text(List<LlmChunk> chunks) {
        return chunks.stream().filter(LlmChunk.Delta.class::isInstance).map(c -> ((LlmChunk.Delta) c).content())
                .reduce("", String::concat);
    }

    private static ToolCall toolCall(FakeToolCall call) {
        return new ToolCall(call.id(), call.name(), call.arguments());
    }

    /** The application's ObjectMapper as far as the wire records care: strict, as {@link StrictJson} makes it. */
    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = new ObjectMapper();
        new StrictJson().customize(mapper);
        return mapper;
    }

    /** The documented defaults of {@link LlmConfig}, through its own mapping. */
    private static LlmConfig defaults() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LlmConfig.class)
                .withValidateUnknown(false)
                .build();
        return config.getConfigMapping(LlmConfig.class);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
