package io.microchatbot.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.ChatServiceGrpc;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.ListMessagesRequest;
import io.microchatbot.grpc.v1.Message;
import io.microchatbot.grpc.v1.MessageType;
import io.microchatbot.grpc.v1.ResponseFormat;
import io.microchatbot.grpc.v1.ResponseFormatType;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse.EventCase;
import io.microchatbot.grpc.v1.ToolCall;
import io.microchatbot.grpc.v1.ToolChoice;
import io.microchatbot.grpc.v1.ToolDefinition;
import io.microchatbot.grpc.v1.ToolResult;
import io.microchatbot.grpc.v1.UpdateConversationRequest;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.FakeToolCall;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.GrpcClient.assertStatus;
import static io.microchatbot.testing.GrpcClient.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tool calling, structured output and generation parameters sent over gRPC: the same turns as REST's, checked by
 * the same rules (REST's field names in BadRequest), against the fake provider over a socket.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class GrpcToolCallingTest {

    static final ToolDefinition WEATHER = ToolDefinition.newBuilder().setName("get_weather")
            .setDescription("The weather in a city")
            .setParameters(struct(Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")),
                    "required", List.of("city"))))
            .build();
    static final ToolDefinition TIME = ToolDefinition.newBuilder().setName("get_time").build();

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aToolCallRoundTripStoresTheCallAndItsResultAndSendsThemBackInOrder() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_1", "get_weather",
                    "{\"city\":\"Paris\"}")));

            SendMessageResponse asked = chat.sendMessage(message(id, "Weather in Paris?").addTools(WEATHER)
                    .setToolChoice(ToolChoice.newBuilder().setMode("auto")).build());

            Message reply = asked.getAssistantMessage();
            assertThat(reply.getToolCallsList()).containsExactly(ToolCall.newBuilder().setId("call_1")
                    .setName("get_weather").setArguments("{\"city\":\"Paris\"}").build());
            assertThat(text(reply, "finish_reason")).isEqualTo("tool_calls");
            JsonObject first = upstream.lastRequest().body();
            JsonObject function = first.getJsonArray("tools").getJsonObject(0).getJsonObject("function");
            assertThat(first.getJsonArray("tools").getJsonObject(0).getString("type")).isEqualTo("function");
            assertThat(function.getString("name")).isEqualTo("get_weather");
            assertThat(function.getString("description")).isEqualTo("The weather in a city");
            assertThat(function.getJsonObject("parameters").getJsonArray("required").getList())
                    .containsExactly("city");
            assertThat(first.getString("tool_choice")).isEqualTo("auto");

            SendMessageResponse answered = chat.sendMessage(results(id, "call_1", "{\"temp_c\":21}"));

            assertThat(answered.getUserMessage().getMessageType()).isEqualTo(MessageType.MESSAGE_TYPE_TOOL);
            assertThat(answered.getUserMessage().getToolCallId()).isEqualTo("call_1");
            assertThat(answered.getUserMessage().getContent()).isEqualTo("{\"temp_c\":21}");
            assertThat(answered.getAssistantMessage().getContent()).isEqualTo("Hello from the fake model.");
            JsonArray sent = upstream.lastRequest().body().getJsonArray("messages");
            assertThat(sent.stream().map(m -> ((JsonObject) m).getString("role")).toList())
                    .containsExactly("user", "assistant", "tool");
            assertThat(sent.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id"))
                    .isEqualTo("call_1");
            assertThat(sent.getJsonObject(2).getString("tool_call_id")).isEqualTo("call_1");
            assertThat(sent.getJsonObject(2).getString("content")).isEqualTo("{\"temp_c\":21}");
            assertThat(messages(chat, id)).extracting(Message::getMessageType).containsExactly(
                    MessageType.MESSAGE_TYPE_USER, MessageType.MESSAGE_TYPE_ASSISTANT, MessageType.MESSAGE_TYPE_TOOL,
                    MessageType.MESSAGE_TYPE_ASSISTANT);
        }
    }

    @Test
    void aStreamRelaysToolCallFragmentsAndCompletesWithTheWholeCalls() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_s", "get_weather",
                    "{\"city\":\"Lima\"}")).argumentFragments(3));

            List<SendMessageStreamResponse> events = streamed(chat, message(id, "Lima?").addTools(WEATHER).build());

            assertThat(events.get(0).getEventCase()).isEqualTo(EventCase.MESSAGE_CREATED);
            assertThat(events.get(events.size() - 1).getEventCase()).isEqualTo(EventCase.MESSAGE_COMPLETED);
            var fragments = events.stream().filter(e -> e.getEventCase() == EventCase.TOOL_CALL_DELTA)
                    .map(SendMessageStreamResponse::getToolCallDelta).toList();
            assertThat(fragments).hasSizeGreaterThan(1);
            assertThat(fragments.get(0).getId()).isEqualTo("call_s");
            assertThat(fragments.get(0).getName()).isEqualTo("get_weather");
            assertThat(fragments.stream().map(f -> f.getArguments()).reduce("", String::concat))
                    .isEqualTo("{\"city\":\"Lima\"}");
            Message reply = events.get(events.size() - 1).getMessageCompleted().getMessage();
            assertThat(reply.getToolCalls(0).getArguments()).isEqualTo("{\"city\":\"Lima\"}");
            assertThat(text(reply, "finish_reason")).isEqualTo("tool_calls");
            assertThat(upstream.lastRequest().body().getJsonArray("tools")).hasSize(1);

            assertThat(chat.sendMessage(results(id, "call_s", "warm")).getUserMessage().getToolCallId())
                    .isEqualTo("call_s");
        }
    }

    @Test
    void aStreamCutInsideToolCallArgumentsIsIncompleteAndAsksForNothing() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_c", "get_weather",
                    "{\"city\":\"Quito\"}")).argumentFragments(3).breakInArguments(0, 1));

            List<SendMessageStreamResponse> events = streamed(chat, message(id, "Quito?").addTools(WEATHER).build());

            SendMessageStreamResponse last = events.get(events.size() - 1);
            assertThat(last.getEventCase()).isEqualTo(EventCase.MESSAGE_INCOMPLETE);
            assertThat(events).extracting(SendMessageStreamResponse::getEventCase).contains(EventCase.TOOL_CALL_DELTA)
                    .doesNotContain(EventCase.MESSAGE_COMPLETED);
            Message reply = last.getMessageIncomplete().getMessage();
            assertThat(reply.getToolCallsList()).isEmpty();
            assertThat(text(reply, "status")).isEqualTo("incomplete");

            var refused = refusedWith(() -> chat.sendMessage(results(id, "call_c", "x")));
            assertStatus(refused, Status.Code.INVALID_ARGUMENT, "unknown_tool_call");
            assertThat(chat.sendMessage(message(id, "again?").build()).getAssistantMessage().getContent())
                    .isNotEmpty();
        }
    }

    @Test
    void resultsMissingOrForUnknownCallsAreRefusedAndNothingIsStored() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String fresh = conversation(chat);
            var nothingPending = refusedWith(() -> chat.sendMessage(results(fresh, "call_1", "x")));
            assertStatus(nothingPending, Status.Code.INVALID_ARGUMENT, "unknown_tool_call");
            assertThat(violatedFields(nothingPending)).containsExactly("tool_results[0].tool_call_id");
            assertThat(messageCount(chat, fresh)).isZero();

            String id = conversation(chat);
            upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_w", "get_weather", "{\"city\":\"Rome\"}"),
                    new FakeToolCall("call_t", "get_time", "{}")));
            chat.sendMessage(message(id, "Weather and time in Rome?").addTools(WEATHER).addTools(TIME).build());
            int calls = upstream.received().size();

            var missing = refusedWith(() -> chat.sendMessage(results(id, "call_w", "sunny")));
            assertStatus(missing, Status.Code.FAILED_PRECONDITION, "tool_results_missing");
            assertThat(violatedFields(missing)).contains("tool_results");
            var userMessageWhileWaiting = refusedWith(() -> chat.sendMessage(message(id, "never mind").build()));
            assertStatus(userMessageWhileWaiting, Status.Code.FAILED_PRECONDITION, "tool_results_missing");
            var streamedWhileWaiting = refusedWith(() -> streamed(chat, message(id, "never mind").build()));
            assertStatus(streamedWhileWaiting, Status.Code.FAILED_PRECONDITION, "tool_results_missing");
            var unknown = refusedWith(() -> chat.sendMessage(results(id, "call_w", "sunny").toBuilder()
                    .addToolResults(ToolResult.newBuilder().setToolCallId("call_x").setContent("?")).build()));
            assertStatus(unknown, Status.Code.INVALID_ARGUMENT, "unknown_tool_call");
            assertThat(violatedFields(unknown)).containsExactly("tool_results[1].tool_call_id");

            assertThat(upstream.received()).hasSize(calls);
            assertThat(messageCount(chat, id)).isEqualTo(2);
            chat.sendMessage(results(id, "call_t", "12:00").toBuilder()
                    .addToolResults(ToolResult.newBuilder().setToolCallId("call_w").setContent("sunny")).build());
            assertThat(messages(chat, id)).extracting(Message::getToolCallId).containsExactly("", "", "call_t",
                    "call_w", "");
        }
    }

    @Test
    void malformedInputsAreRefusedNamingRestsFieldsAndNothingIsStored() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            Map<SendMessageRequest, List<String>> cases = Map.of(
                    message(id, "hi").setTemperature(2.5).setTopP(-0.1).setMaxTokens(0).build(),
                    List.of("max_tokens", "temperature", "top_p"),
                    message(id, "hi").setMaxTokens(1_000_000).build(), List.of("max_tokens"),
                    message(id, "hi").addAllStop(List.of("a", "b", "c", "d", "e")).build(), List.of("stop"),
                    message(id, "hi").addTools(ToolDefinition.newBuilder().setName("has space")).build(),
                    List.of("tools[0].function.name"),
                    message(id, "hi").addTools(WEATHER).setToolChoice(ToolChoice.newBuilder().setFunction("get_time"))
                            .build(),
                    List.of("tool_choice.function.name"),
                    message(id, "hi").setToolChoice(ToolChoice.newBuilder().setMode("always")).build(),
                    List.of("tool_choice"),
                    message(id, "hi").setResponseFormat(ResponseFormat.newBuilder()
                            .setType(ResponseFormatType.RESPONSE_FORMAT_TYPE_JSON_SCHEMA)
                            .setSchema(struct(Map.of("type", "object")))).build(),
                    List.of("response_format.json_schema.name"),
                    message(id, "hi").addToolResults(ToolResult.newBuilder().setToolCallId("c").setContent("x"))
                            .build(),
                    List.of("content"),
                    SendMessageRequest.newBuilder().setConversationId(id)
                            .addToolResults(ToolResult.newBuilder().setContent("x")).build(),
                    List.of("tool_results[0].tool_call_id"));

            cases.forEach((request, fields) -> {
                var refused = refusedWith(() -> chat.sendMessage(request));
                assertStatus(refused, Status.Code.INVALID_ARGUMENT, "validation_failed");
                assertThat(violatedFields(refused)).as(request.toString()).containsExactlyInAnyOrderElementsOf(fields);
            });
            var streamed = refusedWith(() -> streamed(chat, message(id, "hi").setTemperature(3).build()));
            assertStatus(streamed, Status.Code.INVALID_ARGUMENT, "validation_failed");
            assertThat(violatedFields(streamed)).containsExactly("temperature");
            assertThat(messageCount(chat, id)).isZero();
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void aJsonObjectFormatIsPassedOnAndAReplyThatIsNotJsonIsStoredInvalid() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            upstream.script(UpstreamBehavior.reply("Sure! ", "42"));
            ResponseFormat json = ResponseFormat.newBuilder()
                    .setType(ResponseFormatType.RESPONSE_FORMAT_TYPE_JSON_OBJECT).build();

            var refused = refusedWith(() -> chat.sendMessage(message(id, "json please").setResponseFormat(json)
                    .build()));

            assertStatus(refused, Status.Code.INTERNAL, "llm_invalid_output");
            assertThat(upstream.lastRequest().body().getJsonObject("response_format").getString("type"))
                    .isEqualTo("json_object");
            JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(stored.getString("messages[1].content")).isEqualTo("Sure! 42");
            assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("invalid");
            assertThat(stored.getString("messages[1].metadata.error.code")).isEqualTo("llm_invalid_output");
        }
    }

    @Test
    void aJsonSchemaFormatIsSentAsOpenAiDefinesItAndStreamsEndWithMessageInvalidWhenBroken() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            ResponseFormat schema = ResponseFormat.newBuilder()
                    .setType(ResponseFormatType.RESPONSE_FORMAT_TYPE_JSON_SCHEMA).setName("rating").setStrict(true)
                    .setSchema(struct(Map.of("type", "object", "properties", Map.of("stars", Map.of("type",
                            "integer", "minimum", 1, "maximum", 5)), "required", List.of("stars"),
                            "additionalProperties", false)))
                    .build();
            upstream.script(UpstreamBehavior.reply("{\"stars\": 4}"), UpstreamBehavior.reply("{\"stars\":", " 9}"));

            Message reply = chat.sendMessage(message(id, "Rate it").setResponseFormat(schema).build())
                    .getAssistantMessage();

            assertThat(text(reply, "status")).isEqualTo("complete");
            JsonObject sent = upstream.lastRequest().body().getJsonObject("response_format");
            assertThat(sent.getString("type")).isEqualTo("json_schema");
            assertThat(sent.getJsonObject("json_schema").getString("name")).isEqualTo("rating");
            assertThat(sent.getJsonObject("json_schema").getBoolean("strict")).isTrue();
            // Whole numbers of a Struct are sent as integers, as the caller wrote them.
            assertThat(sent.getJsonObject("json_schema").getJsonObject("schema").getJsonObject("properties")
                    .getJsonObject("stars").getValue("minimum")).isEqualTo(1);

            List<SendMessageStreamResponse> events = streamed(chat, message(id, "Again").setResponseFormat(schema)
                    .build());
            SendMessageStreamResponse last = events.get(events.size() - 1);
            assertThat(last.getEventCase()).isEqualTo(EventCase.MESSAGE_INVALID);
            assertThat(last.getMessageInvalid().getError().getCode()).isEqualTo("llm_invalid_output");
            assertThat(text(last.getMessageInvalid().getMessage(), "status")).isEqualTo("invalid");
        }
    }

    @Test
    void generationParametersReachTheProviderAndAreStoredWithTheReply() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            Message reply = chat.sendMessage(message(id, "hi").setModel("fake-model-2").setTemperature(0.2)
                    .setTopP(0.9).setMaxTokens(50).addStop("END").setSeed(42).setUser("end-user-7").build())
                    .getAssistantMessage();

            JsonObject sent = upstream.lastRequest().body();
            assertThat(sent.getString("model")).isEqualTo("fake-model-2");
            assertThat(sent.getDouble("temperature")).isEqualTo(0.2);
            assertThat(sent.getDouble("top_p")).isEqualTo(0.9);
            assertThat(sent.getInteger("max_tokens")).isEqualTo(50);
            assertThat(sent.getJsonArray("stop").getList()).containsExactly("END");
            assertThat(sent.getLong("seed")).isEqualTo(42L);
            assertThat(sent.getString("user")).isEqualTo("end-user-7");
            Struct stored = reply.getMetadata().getFieldsOrThrow("parameters").getStructValue();
            assertThat(stored.getFieldsOrThrow("model").getStringValue()).isEqualTo("fake-model-2");
            assertThat(stored.getFieldsOrThrow("seed").getNumberValue()).isEqualTo(42);

            // A zero or empty proto field that is unset is no parameter: the defaults apply.
            chat.sendMessage(message(id, "again").build());
            JsonObject defaults = upstream.lastRequest().body();
            assertThat(defaults.getString("model")).isEqualTo(FakeLlmServer.MODEL);
            assertThat(defaults.fieldNames()).doesNotContain("top_p", "stop", "seed", "user",
                    "tools", "tool_choice", "response_format");
        }
    }

    @Test
    void aModelOffTheTenantsAllowListIsRefusedBeforeAnythingIsStored() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.blocking(Map.of("x-user-id", user, "x-tenant-id", "models-restricted"));
            String id = conversation(chat);

            var refused = refusedWith(() -> chat.sendMessage(message(id, "hi").setModel("gpt-5").build()));

            assertStatus(refused, Status.Code.INVALID_ARGUMENT, "model_not_allowed");
            assertThat(violatedFields(refused)).containsExactly("model");
            assertThat(messageCount(chat, id)).isZero();
            assertThat(upstream.received()).isEmpty();
            chat.sendMessage(message(id, "hi").setModel("fake-model-2").build());
            assertThat(upstream.lastRequest().model()).isEqualTo("fake-model-2");

            // A conversation's own model is held to the same list, on create and on update.
            assertStatus(refusedWith(() -> chat.createConversation(CreateConversationRequest.newBuilder()
                    .setModel("gpt-5").build())), Status.Code.INVALID_ARGUMENT, "model_not_allowed");
            assertStatus(refusedWith(() -> chat.updateConversation(UpdateConversationRequest.newBuilder()
                    .setConversationId(id).setModel("gpt-5").build())), Status.Code.INVALID_ARGUMENT,
                    "model_not_allowed");
        }
    }

    private static String conversation(ChatServiceGrpc.ChatServiceBlockingStub chat) {
        return chat.createConversation(CreateConversationRequest.getDefaultInstance()).getId();
    }

    private static SendMessageRequest.Builder message(String id, String content) {
        return SendMessageRequest.newBuilder().setConversationId(id).setContent(content);
    }

    private static SendMessageRequest results(String id, String toolCallId, String content) {
        return SendMessageRequest.newBuilder().setConversationId(id)
                .addToolResults(ToolResult.newBuilder().setToolCallId(toolCallId).setContent(content)).build();
    }

    private static List<SendMessageStreamResponse> streamed(ChatServiceGrpc.ChatServiceBlockingStub chat,
            SendMessageRequest request) {
        List<SendMessageStreamResponse> events = new ArrayList<>();
        chat.sendMessageStream(request).forEachRemaining(events::add);
        return events;
    }

    private static List<Message> messages(ChatServiceGrpc.ChatServiceBlockingStub chat, String id) {
        return chat.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).build()).getMessagesList();
    }

    private static long messageCount(ChatServiceGrpc.ChatServiceBlockingStub chat, String id) {
        return chat.getConversation(GetConversationRequest.newBuilder().setConversationId(id).build())
                .getMessageCount();
    }

    private static String text(Message message, String metadataField) {
        return message.getMetadata().getFieldsOrThrow(metadataField).getStringValue();
    }

    private static StatusRuntimeException refusedWith(Runnable call) {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(failure).as("the call fails with a status").isNotNull();
        return failure;
    }

    /** A Struct from maps, lists, strings, numbers and booleans, as a client builds one from its JSON. */
    static Struct struct(Map<String, ?> fields) {
        Struct.Builder struct = Struct.newBuilder();
        fields.forEach((name, value) -> struct.putFields(name, value(value)));
        return struct.build();
    }

    @SuppressWarnings("unchecked")
    private static Value value(Object value) {
        return switch (value) {
            case Map<?, ?> map -> Value.newBuilder().setStructValue(struct((Map<String, ?>) map)).build();
            case List<?> list -> Value.newBuilder().setListValue(ListValue.newBuilder()
                    .addAllValues(list.stream().map(GrpcToolCallingTest::value).toList())).build();
            case String text -> Value.newBuilder().setStringValue(text).build();
            case Number number -> Value.newBuilder().setNumberValue(number.doubleValue()).build();
            case Boolean bool -> Value.newBuilder().setBoolValue(bool).build();
            default -> throw new IllegalArgumentException("Not JSON: " + value);
        };
    }
}
