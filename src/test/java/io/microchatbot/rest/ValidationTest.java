package io.microchatbot.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.microchatbot.llm.TokenCounter;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/**
 * Every bad input is refused with a problem and a stable code, and nothing is written: no conversation, no message,
 * no count moved, no LLM call.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class ValidationTest {

    private static final String CONVERSATIONS = "/api/v1/conversations";
    private static final String CONVERSATION = "/api/v1/conversations/{id}";
    private static final String MESSAGES = "/api/v1/conversations/{id}/messages";
    private static final int CONTENT_MAX = 32_000;
    private static final int METADATA_MAX_BYTES = 16_384;

    private final FakeLlmServer upstream = FakeLlmResource.server();
    /** Loading the BPE ranks takes a while: once for the class. */
    private static final TokenCounter TOKENS = new TokenCounter();

    private String user;
    private String id;

    @BeforeEach
    void freshCallerWithOneEmptyConversation() {
        upstream.reset();
        user = newUser();
        id = conversation(user);
    }

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    // ---- JSON syntax ----

    @ParameterizedTest
    @ValueSource(strings = { "{\"content\": \"hi\"", "{content: \"hi\"}", "not json", "{\"content\": \"hi\"} {}",
            "{\"content\": \"hi\",}" })
    void malformedMessageBodyIs400InvalidJson(String body) {
        assertProblem(sendRaw(body), 400, "invalid_json");
        assertNothingWritten();
    }

    @Test
    void malformedConversationBodyIs400InvalidJsonAndCreatesNothing() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body("{\"title\": ").post(CONVERSATIONS), 400,
                "invalid_json");
        assertNoConversations(other);
    }

    @Test
    void malformedPatchBodyIs400InvalidJsonAndChangesNothing() {
        JsonPath before = conversationNow();
        assertProblem(as(user).contentType("application/merge-patch+json").body("{\"title\": \"x\"")
                .patch(CONVERSATION, id), 400, "invalid_json");
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
    }

    @Test
    void duplicateKeysAre400InvalidJsonEverywhere() {
        assertProblem(sendRaw("{\"content\": \"one\", \"content\": \"two\"}"), 400, "invalid_json");
        assertProblem(sendRaw("{\"content\": \"one\", \"metadata\": {\"a\": 1, \"a\": 2}}"), 400, "invalid_json");
        JsonPath before = conversationNow();
        assertProblem(as(user).contentType("application/merge-patch+json")
                .body("{\"title\": \"a\", \"title\": null}").patch(CONVERSATION, id), 400, "invalid_json");
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body("{\"title\": \"a\", \"title\": \"b\"}")
                .post(CONVERSATIONS), 400, "invalid_json");

        assertNothingWritten();
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
        assertNoConversations(other);
    }

    // ---- JSON shape ----

    @Test
    void unknownFieldOfAMessageIs400ValidationFailedNamingTheField() {
        assertProblem(send(Map.of("content", "hi", "colour", "red")), 400, "validation_failed")
                .body("errors.field", contains("colour"));
        assertNothingWritten();
    }

    @Test
    void unknownFieldOfANewConversationIs400ValidationFailedNamingTheField() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body(Map.of("title", "t", "owner", "admin"))
                .post(CONVERSATIONS), 400, "validation_failed")
                .body("errors.field", contains("owner"));
        assertNoConversations(other);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"content\": 42}",
            "{\"content\": true}",
            "{\"content\": 4.2}",
            "{\"content\": [\"hi\"]}",
            "{\"content\": {\"text\": \"hi\"}}",
            "{\"content\": \"hi\", \"stream\": \"yes\"}",
            "{\"content\": \"hi\", \"stream\": 1}",
            "{\"content\": \"hi\", \"metadata\": [1]}",
            "{\"content\": \"hi\", \"metadata\": \"x\"}",
            "{\"content\": \"hi\", \"metadata\": 7}",
            "[{\"content\": \"hi\"}]",
            "\"hi\"" })
    void wrongTypesInAMessageAre400(String body) {
        Response response = sendRaw(body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertProblem(response, 400, response.path("code"));
        assertThat(response.<String> path("code")).isIn("validation_failed", "invalid_json");
        assertNothingWritten();
    }

    @Test
    void wrongTypeOfAFieldIsReportedAsValidationFailedForThatField() {
        assertProblem(sendRaw("{\"content\": 42}"), 400, "validation_failed")
                .body("errors.field", contains("content"));
        assertProblem(sendRaw("{\"content\": \"hi\", \"stream\": \"yes\"}"), 400, "validation_failed")
                .body("errors.field", contains("stream"));
        assertProblem(sendRaw("{\"content\": \"hi\", \"metadata\": [1]}"), 400, "validation_failed")
                .body("errors.field", contains("metadata"));
        assertProblem(sendRaw("{\"content\": \"hi\", \"metadata\": \"x\"}"), 400, "validation_failed")
                .body("errors.field", contains("metadata"));
        assertNothingWritten();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"title\": 5}", "{\"system_prompt\": false}", "{\"model\": [\"a\"]}",
            "{\"metadata\": [1]}", "{\"metadata\": \"x\"}" })
    void wrongTypesInANewConversationAre400ValidationFailed(String body) {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body(body).post(CONVERSATIONS), 400,
                "validation_failed");
        assertNoConversations(other);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"title\": 5}", "{\"system_prompt\": false}", "{\"model\": [\"a\"]}",
            "{\"metadata\": [1]}", "{\"metadata\": \"x\"}" })
    void wrongTypesInAPatchAre400ValidationFailedAndChangeNothing(String body) {
        JsonPath before = conversationNow();
        assertProblem(as(user).contentType("application/merge-patch+json").body(body).patch(CONVERSATION, id), 400,
                "validation_failed");
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
    }

    // ---- content ----

    @Test
    void missingContentIs400ValidationFailed() {
        assertProblem(sendRaw("{}"), 400, "validation_failed").body("errors.field", contains("content"));
        assertProblem(sendRaw("{\"metadata\": {\"a\": 1}}"), 400, "validation_failed");
        assertProblem(sendRaw("{\"content\": null}"), 400, "validation_failed");
        assertNothingWritten();
    }

    @Test
    void emptyBodyOfAMessageIs400() {
        Response response = as(user).contentType(ContentType.JSON).post(MESSAGES, id);
        assertProblem(response, 400, response.path("code"));
        assertThat(response.<String> path("code")).isIn("validation_failed", "invalid_json");
        assertNothingWritten();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "   \n\t  ", "\u2003" })
    void blankContentIs400ValidationFailed(String content) {
        assertProblem(send(Map.of("content", content)), 400, "validation_failed")
                .body("errors.field", contains("content"));
        assertNothingWritten();
    }

    @Test
    void contentOfExactly32000CharactersIsAccepted() {
        String content = "x".repeat(CONTENT_MAX);
        assertThat(TOKENS.countMessage(TOKENS.count(content))).as("precondition: fits the window")
                .isLessThanOrEqualTo(historyBudget());

        send(Map.of("content", content)).then().statusCode(201)
                .body("user_message.content.length()", is(CONTENT_MAX));
        as(user).get(CONVERSATION, id).then().body("message_count", is(2));
    }

    @Test
    void contentOver32000CharactersIs400ValidationFailed() {
        assertProblem(send(Map.of("content", "x".repeat(CONTENT_MAX + 1))), 400, "validation_failed")
                .body("errors.field", contains("content"));
        assertNothingWritten();
    }

    @Test
    void contentWithANulCharacterIs400ValidationFailed() {
        assertProblem(sendRaw("{\"content\": \"before\\u0000after\"}"), 400, "validation_failed")
                .body("errors.field", contains("content"));
        assertNothingWritten();
    }

    @Test
    void nulCharacterInAConversationFieldIs400ValidationFailed() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body("{\"title\": \"a\\u0000b\"}").post(CONVERSATIONS),
                400, "validation_failed").body("errors.field", contains("title"));
        assertProblem(as(other).contentType(ContentType.JSON).body("{\"metadata\": {\"k\": \"a\\u0000b\"}}")
                .post(CONVERSATIONS), 400, "validation_failed").body("errors.field", contains("metadata"));
        assertNoConversations(other);
    }

    @Test
    void nulCharacterInMessageMetadataIs400ValidationFailed() {
        assertProblem(sendRaw("{\"content\": \"hi\", \"metadata\": {\"k\": \"a\\u0000b\"}}"), 400,
                "validation_failed").body("errors.field", contains("metadata"));
        assertNothingWritten();
    }

    @Test
    void everyInvalidFieldIsReportedAtOnce() {
        assertProblem(send(Map.of("content", " ", "metadata", List.of(1))), 400, "validation_failed")
                .body("errors.field", contains("content", "metadata"));
        assertNothingWritten();
    }

    // ---- metadata ----

    @Test
    void messageMetadataOver16KibIs400ValidationFailed() {
        // {"k":"…"} is 8 bytes of JSON around the value
        assertProblem(send(Map.of("content", "hi", "metadata", Map.of("k", "m".repeat(METADATA_MAX_BYTES - 7)))), 400,
                "validation_failed").body("errors.field", contains("metadata"));
        assertNothingWritten();
    }

    @Test
    void messageMetadataOfExactly16KibIsAccepted() {
        send(Map.of("content", "hi", "metadata", Map.of("k", "m".repeat(METADATA_MAX_BYTES - 8))))
                .then().statusCode(201);
    }

    @Test
    void conversationMetadataOver16KibIs400ValidationFailed() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON)
                .body(Map.of("metadata", Map.of("k", "m".repeat(METADATA_MAX_BYTES))))
                .post(CONVERSATIONS), 400, "validation_failed").body("errors.field", contains("metadata"));
        assertNoConversations(other);

        JsonPath before = conversationNow();
        assertProblem(as(user).contentType(ContentType.JSON)
                .body(Map.of("metadata", Map.of("k", "m".repeat(METADATA_MAX_BYTES))))
                .patch(CONVERSATION, id), 400, "validation_failed");
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
    }

    // ---- title ----

    @Test
    void titleOver200CharactersIs400ValidationFailed() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.JSON).body(Map.of("title", "t".repeat(201)))
                .post(CONVERSATIONS), 400, "validation_failed").body("errors.field", contains("title"));
        assertNoConversations(other);

        JsonPath before = conversationNow();
        assertProblem(as(user).contentType(ContentType.JSON).body(Map.of("title", "t".repeat(201)))
                .patch(CONVERSATION, id), 400, "validation_failed").body("errors.field", contains("title"));
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
    }

    @Test
    void titleOfExactly200CharactersIsAccepted() {
        String title = "t".repeat(200);
        as(newUser()).contentType(ContentType.JSON).body(Map.of("title", title)).post(CONVERSATIONS)
                .then().statusCode(201).body("title", equalTo(title));
        as(user).contentType(ContentType.JSON).body(Map.of("title", title)).patch(CONVERSATION, id)
                .then().statusCode(200).body("title", equalTo(title));
    }

    // ---- path and query ----

    @ParameterizedTest
    @ValueSource(strings = { "not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g",
            "0-0-0-0-0", "1b4e28ba2fa111d2883f0016d3cca427x" })
    void badUuidInThePathIs400ValidationFailed(String badId) {
        assertProblem(as(user).get(CONVERSATION, badId), 400, "validation_failed");
        assertProblem(as(user).contentType(ContentType.JSON).body(Map.of("title", "x")).patch(CONVERSATION, badId),
                400, "validation_failed");
        assertProblem(as(user).delete(CONVERSATION, badId), 400, "validation_failed");
        assertProblem(as(user).get(MESSAGES, badId), 400, "validation_failed");
        assertProblem(as(user).contentType(ContentType.JSON).body(Map.of("content", "hi")).post(MESSAGES, badId),
                400, "validation_failed");
        assertProblem(as(user).get(MESSAGES + "/{messageId}", id, badId), 400, "validation_failed");
        assertNothingWritten();
    }

    @Test
    void unknownConversationUuidIs404NotFound() {
        UUID unknown = UUID.randomUUID();
        assertProblem(as(user).get(CONVERSATION, unknown), 404, "not_found");
        assertProblem(as(user).contentType(ContentType.JSON).body(Map.of("title", "x")).patch(CONVERSATION, unknown),
                404, "not_found");
        assertProblem(as(user).delete(CONVERSATION, unknown), 404, "not_found");
        assertProblem(as(user).get(MESSAGES, unknown), 404, "not_found");
        assertProblem(as(user).contentType(ContentType.JSON).body(Map.of("content", "hi")).post(MESSAGES, unknown),
                404, "not_found");
        assertProblem(as(user).get(MESSAGES + "/{messageId}", id, UUID.randomUUID()), 404, "not_found");
        assertThat(upstream.received()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "101", "abc", "-1", "1.5", "99999999999" })
    void limitOutside1To100Is400ValidationFailed(String limit) {
        assertProblem(as(user).queryParam("limit", limit).get(CONVERSATIONS), 400, "validation_failed")
                .body("errors.field", contains("limit"));
        assertProblem(as(user).queryParam("limit", limit).get(MESSAGES, id), 400, "validation_failed")
                .body("errors.field", contains("limit"));
    }

    @Test
    void limitOf1And100IsAccepted() {
        as(user).queryParam("limit", 1).get(CONVERSATIONS).then().statusCode(200);
        as(user).queryParam("limit", 100).get(CONVERSATIONS).then().statusCode(200);
        as(user).queryParam("limit", 1).get(MESSAGES, id).then().statusCode(200);
        as(user).queryParam("limit", 100).get(MESSAGES, id).then().statusCode(200);
    }

    @Test
    void unknownSortOrderIs400ValidationFailed() {
        assertProblem(as(user).queryParam("order", "sideways").get(MESSAGES, id), 400, "validation_failed")
                .body("errors.field", contains("order"));
        as(user).queryParam("order", "asc").get(MESSAGES, id).then().statusCode(200);
        as(user).queryParam("order", "desc").get(MESSAGES, id).then().statusCode(200);
    }

    @Test
    void tamperedCursorIs400InvalidCursor() {
        assertProblem(as(user).queryParam("cursor", "bm90LWEtY3Vyc29y.AAAA").get(CONVERSATIONS), 400,
                "invalid_cursor");
        assertProblem(as(user).queryParam("cursor", "garbage").get(MESSAGES, id), 400, "invalid_cursor");
    }

    // ---- media types and sizes ----

    @Test
    void plainTextBodyIs415UnsupportedMediaType() {
        String other = newUser();
        assertProblem(as(other).contentType(ContentType.TEXT).body("{\"title\": \"x\"}").post(CONVERSATIONS), 415,
                "unsupported_media_type");
        assertNoConversations(other);

        assertProblem(as(user).contentType(ContentType.TEXT).body("{\"content\": \"hi\"}").post(MESSAGES, id), 415,
                "unsupported_media_type");
        assertProblem(as(user).contentType(ContentType.TEXT).body("{\"content\": \"hi\", \"stream\": true}")
                .post(MESSAGES, id), 415, "unsupported_media_type");
        JsonPath before = conversationNow();
        assertProblem(as(user).contentType(ContentType.TEXT).body("{\"title\": \"x\"}").patch(CONVERSATION, id), 415,
                "unsupported_media_type");
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
        assertNothingWritten();
    }

    @Test
    void newConversationBodyOverTheHttpLimitIs413ProblemJson() {
        String other = newUser();
        String body = "{\"title\": \"" + "b".repeat(300 * 1024) + "\"}";
        assertProblem(as(other).contentType(ContentType.JSON).body(body).post(CONVERSATIONS), 413,
                "payload_too_large");
        assertNoConversations(other);
    }

    @Test
    void messageBodyOverTheHttpLimitIs413ProblemJson() {
        String body = "{\"content\": \"" + "b".repeat(300 * 1024) + "\"}";
        assertProblem(as(user).contentType(ContentType.JSON).body(body).post(MESSAGES, id), 413, "payload_too_large");
        assertNothingWritten();
    }

    @Test
    void streamingMessageBodyOverTheHttpLimitIs413ProblemJson() {
        String body = "{\"stream\": true, \"content\": \"" + "b".repeat(300 * 1024) + "\"}";
        assertProblem(as(user).contentType(ContentType.JSON).accept("text/event-stream").body(body)
                .post(MESSAGES, id), 413, "payload_too_large");
        assertNothingWritten();
    }

    @Test
    void patchBodyOverTheHttpLimitIs413ProblemJson() {
        JsonPath before = conversationNow();
        String body = "{\"title\": \"" + "b".repeat(300 * 1024) + "\"}";
        assertProblem(as(user).contentType(ContentType.JSON).body(body).patch(CONVERSATION, id), 413,
                "payload_too_large");
        assertThat(conversationNow().getMap("")).isEqualTo(before.getMap(""));
    }

    @Test
    void invalidStreamingMessageIsAProblemNotAnEventStream() {
        assertProblem(send(Map.of("content", " ", "stream", true)), 400, "validation_failed");
        assertProblem(as(user).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("content", "x".repeat(CONTENT_MAX + 1))).post(MESSAGES, id), 400, "validation_failed");
        assertProblem(as(user).contentType(ContentType.JSON).accept("text/event-stream")
                .body("{\"content\": \"hi\", \"colour\": \"red\"}").post(MESSAGES, id), 400, "validation_failed");
        assertProblem(as(user).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("content", "hi")).post(MESSAGES, "not-a-uuid"), 400, "validation_failed");
        assertNothingWritten();
    }

    @Test
    void streamingTurnRefusedBeforeAnyEventIsAProblemNotABrokenStream() {
        assertProblem(as(user).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("content", "hi")).post(MESSAGES, UUID.randomUUID()), 404, "not_found");
        assertProblem(send(Map.of("content", variedWords(CONTENT_MAX), "stream", true)), 400,
                "context_window_exceeded");
        assertNothingWritten();
    }

    @Test
    void streamFlagInALargeBodyStillSelectsServerSentEvents() {
        String content = "y".repeat(20_000);
        String events = send(Map.of("content", content, "stream", true))
                .then().statusCode(200)
                .contentType("text/event-stream")
                .extract().asString();

        assertThat(events).contains("event: message.created", "event: message.completed");
        as(user).get(MESSAGES, id).then().body("total_count", is(2))
                .body("messages[0].content.length()", is(content.length()));
    }

    // ---- routing ----

    @Test
    void unknownPathUnderApiIs404Problem() {
        assertProblem(as(user).get("/api/v1/nothing-here"), 404, "not_found");
        assertProblem(as(user).get("/api/v2/conversations"), 404, "not_found");
        assertProblem(as(user).contentType(ContentType.JSON).body("{}").post("/api/v1/conversations/{id}/archive", id),
                404, "not_found");
        assertProblem(as(user).get("/api/v1/conversations/{id}/messages/{m}/extra", id, UUID.randomUUID()), 404,
                "not_found");
    }

    @Test
    void unsupportedMethodIs405Problem() {
        assertProblem(as(user).contentType(ContentType.JSON).body("{}").put(CONVERSATION, id), 405,
                "method_not_allowed");
        assertProblem(as(user).delete(CONVERSATIONS), 405, "method_not_allowed");
    }

    // ---- context window ----

    @Test
    void messageThatCannotFitTheContextWindowIs400ContextWindowExceededAndNothingIsStored() {
        String content = variedWords(CONTENT_MAX);
        assertThat(content).hasSize(CONTENT_MAX);
        assertThat(TOKENS.countMessage(TOKENS.count(content))).as("precondition: cannot fit the window")
                .isGreaterThan(historyBudget());

        assertProblem(send(Map.of("content", content)), 400, "context_window_exceeded");

        assertNothingWritten();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void systemPromptCountsAgainstTheContextWindow() {
        String systemPrompt = "x".repeat(CONTENT_MAX);
        String content = "x".repeat(28_000);
        int systemTokens = TOKENS.countMessage(TOKENS.count(systemPrompt));
        int contentTokens = TOKENS.countMessage(TOKENS.count(content));
        assertThat(contentTokens).as("precondition: fits alone").isLessThanOrEqualTo(historyBudget());
        assertThat(systemTokens + contentTokens).as("precondition: not together").isGreaterThan(historyBudget());
        id = conversation(as(user), Map.of("system_prompt", systemPrompt));

        assertProblem(send(Map.of("content", content)), 400, "context_window_exceeded");

        as(user).get(CONVERSATION, id).then().body("message_count", is(0));
        as(user).get(MESSAGES, id).then().body("total_count", is(0)).body("messages", empty());
        assertThat(upstream.received()).isEmpty();
    }

    // ---- helpers ----

    private Response send(Map<String, Object> body) {
        return as(user).contentType(ContentType.JSON).body(body).post(MESSAGES, id);
    }

    private Response sendRaw(String body) {
        return as(user).contentType(ContentType.JSON).body(body).post(MESSAGES, id);
    }

    private JsonPath conversationNow() {
        return as(user).get(CONVERSATION, id).then().statusCode(200).extract().jsonPath();
    }

    /** The caller still has exactly its one conversation, with no message, and the LLM was never called. */
    private void assertNothingWritten() {
        as(user).get(CONVERSATION, id).then().statusCode(200).body("message_count", is(0));
        as(user).get(MESSAGES, id).then().statusCode(200).body("total_count", is(0)).body("messages", empty());
        as(user).get(CONVERSATIONS).then().statusCode(200).body("conversations.id", contains(id));
        assertThat(upstream.received()).as("requests to the LLM").isEmpty();
    }

    private static void assertNoConversations(String caller) {
        as(caller).get(CONVERSATIONS).then().statusCode(200).body("conversations", empty());
    }

    /** Tokens a single user message may take: the window minus the reply reserve and the reply priming. */
    private static int historyBudget() {
        var config = ConfigProvider.getConfig();
        int window = config.getOptionalValue("chatbot.llm.context-window", Integer.class).orElse(8192);
        int maxTokens = config.getOptionalValue("chatbot.llm.max-tokens", Integer.class).orElse(1024);
        return window - maxTokens - 3;
    }

    /** Distinct made-up words, which tokenize far worse than prose: several tokens per word. */
    private static String variedWords(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < length; i++) {
            text.append('w').append(Integer.toString(i * 7919 % 100_003, 36)).append(i % 10).append(' ');
        }
        return text.substring(0, length);
    }
}
