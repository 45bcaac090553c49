package io.microchatbot.openai;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.Api;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.openai.OpenAiCalls.COMPLETIONS;
import static io.microchatbot.openai.OpenAiCalls.as;
import static io.microchatbot.openai.OpenAiCalls.body;
import static io.microchatbot.openai.OpenAiCalls.usageOf;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The OpenAI door bound to a stored conversation by {@code X-Conversation-ID}: the new message and the reply are
 * stored as a turn of it, and the history the provider gets is the service's, not the request's.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class BoundCompletionsTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String user = newUser();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void aBoundCompletionIsATurnOfTheConversation() throws Exception {
        String id = conversation(Api.as(user), Map.of("system_prompt", "Be terse."));
        Api.turn(user, id, "Earlier question");

        JsonObject request = body("New question");
        request.getJsonArray("messages").add(0, new JsonObject().put("role", "system").put("content", "Ignored"));
        as(user).header("X-Conversation-ID", id).body(request.encode()).post(COMPLETIONS)
                .then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.content", equalTo("Hello from the fake model."))
                .body("usage.total_tokens", equalTo(16));

        JsonArray sent = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(sent.stream().map(m -> ((JsonObject) m).getString("content")).toList())
                .containsExactly("Be terse.", "Earlier question", "Hello from the fake model.", "New question");
        Api.as(user).get("/api/v1/conversations/{id}", id).then().body("message_count",
                equalTo(4));
        // Stored as a turn: each of the two turns has its usage row, written with its reply; the door adds none.
        assertThat(usageOf(user)).hasSize(2).allSatisfy(row -> assertThat(row).containsEntry("source", "turn"));
    }

    @Test
    void aBoundStreamEndsWithDoneAndItsReplyIsStored() throws Exception {
        String id = conversation(user);
        List<Event> events;
        try (SseClient stream = SseClient.postWithHeader(RestAssured.port, COMPLETIONS, user, "X-Conversation-ID", id,
                body("Hi").put("stream", true).encode())) {
            assertThat(stream.status()).isEqualTo(200);
            events = stream.rest();
        }
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        events.subList(0, events.size() - 1).forEach(event -> event.json().getJsonArray("choices").forEach(choice -> {
            JsonObject delta = ((JsonObject) choice).getJsonObject("delta");
            if (delta != null && delta.getString("content") != null) {
                text.append(delta.getString("content"));
            }
        }));
        assertThat(text).hasToString("Hello from the fake model.");
        Api.as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("messages.content", equalTo(List.of("Hi", "Hello from the fake model.")))
                .body("messages[1].metadata.status", equalTo("complete"));
    }

    @Test
    void aBoundStreamThatBreaksEndsWithAnErrorEventAndIsStoredIncomplete() throws Exception {
        String id = conversation(user);
        upstream.behave(UpstreamBehavior.reply("Half", " an", " answer").breakAfter(2));
        List<Event> events;
        try (SseClient stream = SseClient.postWithHeader(RestAssured.port, COMPLETIONS, user, "X-Conversation-ID", id,
                body("Hi").put("stream", true).encode())) {
            assertThat(stream.status()).isEqualTo(200);
            events = stream.restUntilCut();
        }
        assertThat(events).extracting(Event::data).doesNotContain("[DONE]");
        assertThat(events.get(events.size() - 1).json().getJsonObject("error").getString("code"))
                .isEqualTo("llm_unavailable");
        Api.as(user).get("/api/v1/conversations/{id}/messages", id).then()
                .body("messages[1].content", equalTo("Half an"))
                .body("messages[1].metadata.status", equalTo("incomplete"));
    }

    @Test
    void anUnknownConversationOrAMalformedIdIsAProblemAndNothingIsCalled() {
        as(user).header("X-Conversation-ID", UUID.randomUUID().toString()).body(body("Hi").encode())
                .post(COMPLETIONS)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("not_found"))
                .body("error.code", equalTo("not_found"));
        as(user).header("X-Conversation-ID", "not-a-uuid").body(body("Hi").encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .body("code", equalTo("validation_failed"))
                .body("errors[0].field", equalTo("X-Conversation-ID"));
        String id = conversation(user);
        JsonObject request = body("Hi");
        request.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("content", "Hm"));
        as(user).header("X-Conversation-ID", id).body(request.encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .body("errors[0].field", equalTo("messages[1].role"));
        // A transcript that is valid OpenAI, but answers a call this conversation never made.
        JsonObject orphan = body("Hi");
        orphan.getJsonArray("messages")
                .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                        .add(new JsonObject().put("id", "call_none").put("type", "function").put("function",
                                new JsonObject().put("name", "f").put("arguments", "{}")))))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_none").put("content", "42"));
        as(user).header("X-Conversation-ID", id).body(orphan.encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .body("code", equalTo("unknown_tool_call"))
                .body("error.code", equalTo("unknown_tool_call"));
        as(user).header("X-Conversation-ID", id).body(body("x".repeat(32_001)).encode()).post(COMPLETIONS)
                .then().statusCode(400)
                .body("code", equalTo("validation_failed"));
        assertThat(upstream.received()).isEmpty();
        Api.as(user).get("/api/v1/conversations/{id}", id).then().body("message_count", equalTo(0));
    }
}
