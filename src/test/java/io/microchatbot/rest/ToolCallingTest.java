package io.microchatbot.rest;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.FakeToolCall;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Tool calling through the conversation API, against the fake provider over a socket: the reply that asks for
 * tools, the results that start the next turn, what the provider is sent back, and every way to get it wrong.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class ToolCallingTest {

    static final Map<String, Object> WEATHER = Map.of("type", "function", "function", Map.of(
            "name", "get_weather", "description", "The weather in a city",
            "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")),
                    "required", List.of("city"))));
    static final Map<String, Object> TIME = Map.of("type", "function", "function", Map.of("name", "get_time"));

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    /** A whole completion asking for the given calls, as OpenAI sends it: content null, finish_reason tool_calls. */
    static UpstreamBehavior toolCallReply(String... idNameArguments) {
        JsonArray calls = new JsonArray();
        for (int i = 0; i < idNameArguments.length; i += 3) {
            calls.add(new JsonObject().put("id", idNameArguments[i]).put("type", "function")
                    .put("function", new JsonObject().put("name", idNameArguments[i + 1])
                            .put("arguments", idNameArguments[i + 2])));
        }
        return UpstreamBehavior.garbage(new JsonObject().put("id", "chatcmpl-tools").put("object", "chat.completion")
                .put("model", FakeLlmServer.MODEL)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("message", new JsonObject().put("role", "assistant").putNull("content")
                                .put("tool_calls", calls))
                        .put("finish_reason", "tool_calls")))
                .put("usage", new JsonObject().put("prompt_tokens", 20).put("completion_tokens", 7)
                        .put("total_tokens", 27))
                .encode());
    }

    @Test
    void aToolCallRoundTripStoresTheCallAndItsResultAndSendsThemBackInOrder() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(toolCallReply("call_1", "get_weather", "{\"city\":\"Paris\"}"));

        JsonPath asked = as(user).contentType(ContentType.JSON).body(Map.of("content", "Weather in Paris?"))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201)
                .body("assistant_message.content", equalTo(""))
                .body("assistant_message.tool_calls[0].id", equalTo("call_1"))
                .body("assistant_message.tool_calls[0].type", equalTo("function"))
                .body("assistant_message.tool_calls[0].function.name", equalTo("get_weather"))
                .body("assistant_message.tool_calls[0].function.arguments", equalTo("{\"city\":\"Paris\"}"))
                .body("assistant_message.metadata.finish_reason", equalTo("tool_calls"))
                .body("assistant_message.metadata.status", equalTo("complete"))
                .extract().jsonPath();
        assertThat(asked.getMap("user_message")).doesNotContainKeys("tool_calls", "tool_call_id");
        JsonObject first = upstream.lastRequest().body();
        assertThat(first.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"))
                .isEqualTo("get_weather");

        as(user).contentType(ContentType.JSON)
                .body(Map.of("tool_results", List.of(Map.of("tool_call_id", "call_1", "content", "{\"temp_c\":21}"))))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201)
                .body("user_message.message_type", equalTo("tool"))
                .body("user_message.tool_call_id", equalTo("call_1"))
                .body("user_message.content", equalTo("{\"temp_c\":21}"))
                .body("assistant_message.content", equalTo("Hello from the fake model."));

        JsonArray sent = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(sent.stream().map(m -> ((JsonObject) m).getString("role")).toList())
                .containsExactly("user", "assistant", "tool");
        JsonObject call = sent.getJsonObject(1);
        assertThat(call.containsKey("content")).isTrue();
        assertThat(call.getValue("content")).isNull();
        assertThat(call.getJsonArray("tool_calls").getJsonObject(0).getString("id")).isEqualTo("call_1");
        assertThat(call.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"))
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(sent.getJsonObject(2).getString("tool_call_id")).isEqualTo("call_1");

        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200)
                .body("messages.message_type", equalTo(List.of("user", "assistant", "tool", "assistant")))
                .body("messages[1].tool_calls[0].function.name", equalTo("get_weather"))
                .body("messages[2].tool_call_id", equalTo("call_1"))
                .body("messages[3].tool_calls", nullValue());
    }

    @Test
    void theHistorySentBackIsTheSameFromTheCacheAndFromTheDatabase() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(toolCallReply("call_a", "get_weather", "{\"city\":\"Oslo\"}"));
        send(user, id, Map.of("content", "Oslo?")).then().statusCode(201);
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_a", "content", "cold"))))
                .then().statusCode(201);

        send(user, id, Map.of("content", "Thanks")).then().statusCode(201);
        JsonArray fromCache = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(RedisKeys.deleteMatching("chatbot:*:conv:{" + id + "}:*")).isPositive();
        send(user, id, Map.of("content", "Thanks again")).then().statusCode(201);
        JsonArray fromDatabase = upstream.lastRequest().body().getJsonArray("messages");

        assertThat(fromCache.stream().map(m -> ((JsonObject) m).getString("role")).toList())
                .containsExactly("user", "assistant", "tool", "assistant", "user");
        // The same history, and the new exchange after it.
        assertThat(new JsonArray(fromDatabase.getList().subList(0, 5))).isEqualTo(fromCache);
        assertThat(fromDatabase.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id"))
                .isEqualTo("call_a");
        assertThat(fromDatabase.getJsonObject(2).getString("tool_call_id")).isEqualTo("call_a");
    }

    @Test
    void everyPendingCallNeedsExactlyOneResultAndNothingIsStoredOtherwise() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER, TIME)));
        upstream.script(toolCallReply("call_w", "get_weather", "{\"city\":\"Rome\"}", "call_t", "get_time", "{}"));
        send(user, id, Map.of("content", "Weather and time in Rome?")).then().statusCode(201);
        int calls = upstream.received().size();

        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_w", "content", "sunny"))))
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("tool_results_missing"))
                .body("errors.field", hasItem("tool_results"));
        send(user, id, Map.of("content", "never mind"))
                .then().statusCode(400)
                .body("code", equalTo("tool_results_missing"));
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_w", "content", "sunny"),
                Map.of("tool_call_id", "call_x", "content", "?"))))
                .then().statusCode(400)
                .body("code", equalTo("unknown_tool_call"))
                .body("errors[0].field", equalTo("tool_results[1].tool_call_id"));
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_w", "content", "sunny"),
                Map.of("tool_call_id", "call_w", "content", "again"))))
                .then().statusCode(400)
                .body("code", equalTo("unknown_tool_call"));

        assertThat(upstream.received()).hasSize(calls);
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(2));

        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_t", "content", "12:00"),
                Map.of("tool_call_id", "call_w", "content", "sunny"))))
                .then().statusCode(201);
        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body("messages.message_type", equalTo(List.of("user", "assistant", "tool", "tool", "assistant")))
                .body("messages[2].tool_call_id", equalTo("call_t"))
                .body("messages[3].tool_call_id", equalTo("call_w"));
    }

    @Test
    void toolResultsWithNothingPendingAreRefused() {
        String user = newUser();
        String id = conversation(user);
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_1", "content", "x"))))
                .then().statusCode(400)
                .body("code", equalTo("unknown_tool_call"))
                .body("errors[0].field", equalTo("tool_results[0].tool_call_id"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
    }

    @Test
    void malformedToolInputIsRefusedWithTheFieldNamed() {
        String user = newUser();
        String id = conversation(user);
        send(user, id, Map.of("content", "hi", "tool_results", List.of(Map.of("tool_call_id", "c", "content", "x"))))
                .then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem("content"));
        send(user, id, Map.of("tool_results", List.of(Map.of("content", "x"))))
                .then().statusCode(400).body("errors.field", hasItem("tool_results[0].tool_call_id"));
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "c", "content", 5))))
                .then().statusCode(400).body("errors.field", hasItem("tool_results[0].content"));
        send(user, id, Map.of("tool_results", List.of()))
                .then().statusCode(400).body("errors.field", hasItem("tool_results"));
        send(user, id, Map.of("content", "hi", "tools", List.of(Map.of("type", "function", "function",
                Map.of("name", "has space")))))
                .then().statusCode(400).body("errors.field", hasItem("tools[0].function.name"));
        send(user, id, Map.of("content", "hi", "tools", List.of(WEATHER, WEATHER)))
                .then().statusCode(400).body("errors.field", hasItem("tools[1].function.name"));
        send(user, id, Map.of("content", "hi", "tools", List.of(Map.of("type", "retrieval"))))
                .then().statusCode(400).body("errors.field", hasItem("tools[0].type"));
        send(user, id, Map.of("content", "hi", "tools", List.of(WEATHER),
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "get_time"))))
                .then().statusCode(400).body("errors.field", hasItem("tool_choice.function.name"));
        send(user, id, Map.of("content", "hi", "tool_choice", "always"))
                .then().statusCode(400).body("errors.field", hasItem("tool_choice"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void toolCallArgumentsThatAreNotJsonMakeAnInvalidReply() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(toolCallReply("call_1", "get_weather", "{\"city\": \"Par"));

        send(user, id, Map.of("content", "Weather?"))
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("code", equalTo("llm_invalid_output"));

        as(user).get("/api/v1/conversations/{id}/messages", id)
                .then().body("messages[1].metadata.status", equalTo("invalid"))
                .body("messages[1].metadata.error.code", equalTo("llm_invalid_output"))
                // Kept for the record, never as calls to run.
                .body("messages[1].tool_calls", nullValue())
                .body("messages[1].metadata.partial_tool_calls[0].id", equalTo("call_1"));
        // An invalid reply asks for nothing: the conversation goes on with a user message.
        send(user, id, Map.of("content", "Try again")).then().statusCode(201);
    }

    @Test
    void callsWithoutAUsableIdOrNamingAnUndeclaredToolAreInvalidAndAskForNothing() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(toolCallReply("", "get_weather", "{}"), toolCallReply("call_2", "launch_rocket", "{}"));

        send(user, id, Map.of("content", "a")).then().statusCode(502).body("code", equalTo("llm_invalid_output"));
        send(user, id, Map.of("content", "b")).then().statusCode(502).body("code", equalTo("llm_invalid_output"))
                .body("detail", org.hamcrest.Matchers.containsString("launch_rocket"));
        send(user, id, Map.of("content", "c")).then().statusCode(201);
    }

    @Test
    void anEmptyToolResultStaysInTheHistoryNextToItsCall() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(toolCallReply("call_e", "get_weather", "{\"city\":\"Nowhere\"}"));
        send(user, id, Map.of("content", "Weather?")).then().statusCode(201);
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_e", "content", ""))))
                .then().statusCode(201);

        send(user, id, Map.of("content", "And now?")).then().statusCode(201);
        JsonArray sent = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(sent.stream().map(m -> ((JsonObject) m).getString("role")).toList())
                .containsExactly("user", "assistant", "tool", "assistant", "user");
    }

    @Test
    void aToolChoiceThatTheMergedToolsCannotMeetIsRefusedBeforeAnythingIsStored() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER), "tool_choice",
                Map.of("type", "function", "function", Map.of("name", "get_weather"))));
        // The turn's tools replace the conversation's; its inherited choice names a tool no longer there.
        send(user, id, Map.of("content", "a", "tools", List.of(TIME)))
                .then().statusCode(400).body("errors[0].field", equalTo("tool_choice"));
        send(user, newConversationWithoutTools(user), Map.of("content", "b", "tool_choice", "required"))
                .then().statusCode(400).body("errors[0].field", equalTo("tool_choice"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", is(0));
        assertThat(upstream.received()).isEmpty();
    }

    private static String newConversationWithoutTools(String user) {
        return conversation(user);
    }

    @Test
    void aTurnsToolsAndToolChoiceOverrideTheConversationsAndReachTheProvider() {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER), "tool_choice", "auto"));
        as(user).get("/api/v1/conversations/{id}", id).then()
                .body("tools[0].function.name", equalTo("get_weather"))
                .body("tool_choice", equalTo("auto"));

        send(user, id, Map.of("content", "a")).then().statusCode(201);
        assertThat(upstream.lastRequest().body().getString("tool_choice")).isEqualTo("auto");

        send(user, id, Map.of("content", "b", "tools", List.of(TIME),
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "get_time"))))
                .then().statusCode(201);
        JsonObject overridden = upstream.lastRequest().body();
        assertThat(overridden.getJsonArray("tools")).hasSize(1);
        assertThat(overridden.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"))
                .isEqualTo("get_time");
        assertThat(overridden.getJsonObject("tool_choice").getJsonObject("function").getString("name"))
                .isEqualTo("get_time");

        as(user).contentType("application/merge-patch+json").body(Map.of("tool_choice", "none"))
                .patch("/api/v1/conversations/{id}", id).then().statusCode(200)
                .body("tool_choice", equalTo("none"))
                .body("tools[0].function.name", equalTo("get_weather"));
        as(user).contentType("application/merge-patch+json").body("{\"tools\": null, \"tool_choice\": null}")
                .patch("/api/v1/conversations/{id}", id).then().statusCode(200)
                .body("tools", nullValue())
                .body("tool_choice", nullValue());
        send(user, id, Map.of("content", "c")).then().statusCode(201);
        assertThat(upstream.lastRequest().body().containsKey("tools")).isFalse();
        assertThat(upstream.lastRequest().body().containsKey("tool_choice")).isFalse();
    }

    @Test
    void aStreamedReplyRelaysToolCallFragmentsAndStoresTheWholeCalls() throws Exception {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_s", "get_weather", "{\"city\":\"Lima\"}"))
                .argumentFragments(3));

        List<SseClient.Event> events = stream(user, id, "{\"content\": \"Lima?\"}");

        assertThat(events).extracting(SseClient.Event::name).startsWith("message.created")
                .endsWith("message.completed").contains("message.tool_call.delta");
        List<JsonObject> fragments = events.stream().filter(e -> "message.tool_call.delta".equals(e.name()))
                .map(SseClient.Event::json).toList();
        assertThat(fragments.get(0).getString("id")).isEqualTo("call_s");
        assertThat(fragments.get(0).getString("name")).isEqualTo("get_weather");
        assertThat(fragments).allSatisfy(fragment -> assertThat(fragment.getInteger("index")).isZero());
        assertThat(fragments.stream().map(f -> f.getString("arguments")).reduce("", String::concat))
                .isEqualTo("{\"city\":\"Lima\"}");
        JsonObject reply = events.get(events.size() - 1).json().getJsonObject("message");
        assertThat(reply.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"))
                .isEqualTo("{\"city\":\"Lima\"}");
        assertThat(reply.getJsonObject("metadata").getString("finish_reason")).isEqualTo("tool_calls");

        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_s", "content", "warm"))))
                .then().statusCode(201);
    }

    @Test
    void aStreamCutInsideAToolCallsArgumentsIsIncompleteAndAsksForNothing() throws Exception {
        String user = newUser();
        String id = conversation(as(user), Map.of("tools", List.of(WEATHER)));
        upstream.script(UpstreamBehavior.toolCalls(new FakeToolCall("call_c", "get_weather", "{\"city\":\"Quito\"}"))
                .argumentFragments(3).breakInArguments(0, 1));

        List<SseClient.Event> events = stream(user, id, "{\"content\": \"Quito?\"}");

        SseClient.Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("message.incomplete");
        assertThat(events).extracting(SseClient.Event::name).doesNotContain("message.completed");
        JsonObject reply = last.json().getJsonObject("message");
        assertThat(reply.containsKey("tool_calls")).isFalse();
        assertThat(reply.getJsonObject("metadata").getString("status")).isEqualTo("incomplete");
        JsonObject partial = reply.getJsonObject("metadata").getJsonArray("partial_tool_calls").getJsonObject(0);
        assertThat(partial.getString("id")).isEqualTo("call_c");
        assertThat("{\"city\":\"Quito\"}").startsWith(partial.getString("arguments"))
                .isNotEqualTo(partial.getString("arguments"));

        // Nothing waits for a result: a result is refused, a user message is taken.
        send(user, id, Map.of("tool_results", List.of(Map.of("tool_call_id", "call_c", "content", "x"))))
                .then().statusCode(400).body("code", equalTo("unknown_tool_call"));
        send(user, id, Map.of("content", "again?")).then().statusCode(201);
    }

    private static List<SseClient.Event> stream(String user, String id, String body) throws Exception {
        try (SseClient client = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", body)) {
            assertThat(client.status()).isEqualTo(200);
            return client.rest();
        }
    }

    private static io.restassured.response.Response send(String user, String id, Map<String, Object> body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/api/v1/conversations/{id}/messages", id);
    }
}
