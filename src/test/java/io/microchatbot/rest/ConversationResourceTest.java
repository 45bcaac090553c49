package io.microchatbot.rest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.Api.turn;
import static io.microchatbot.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class ConversationResourceTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    // ---- create and read ----

    @Test
    void createReturns201WithLocationAndAllFieldsAndGetReturnsTheSame() {
        String user = newUser();
        Response created = as(user).contentType(ContentType.JSON)
                .body(Map.of("title", "Trip to Lisbon", "system_prompt", "You are a travel agent.",
                        "model", "override/model-x", "metadata", Map.of("client", "web", "tags", List.of("a", "b"))))
                .post("/api/v1/conversations");

        created.then().statusCode(201)
                .contentType(ContentType.JSON)
                .body("id", matchesPattern(UUID_PATTERN))
                .body("title", equalTo("Trip to Lisbon"))
                .body("system_prompt", equalTo("You are a travel agent."))
                .body("model", equalTo("override/model-x"))
                .body("metadata.client", equalTo("web"))
                .body("metadata.tags", contains("a", "b"))
                .body("message_count", is(0))
                .body("created_at", notNullValue())
                .body("updated_at", notNullValue());
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/v1/conversations/" + id);
        assertThat(created.<String> path("updated_at")).isEqualTo(created.path("created_at"));

        JsonPath read = as(user).get(created.header("Location"))
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .extract().jsonPath();
        assertThat(read.getMap("")).isEqualTo(created.jsonPath().getMap(""));
    }

    @Test
    void createWithEmptyObjectUsesDefaults() {
        String user = newUser();
        as(user).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .body("title", nullValue())
                .body("system_prompt", nullValue())
                .body("model", nullValue())
                .body("metadata", equalTo(Map.of()))
                .body("message_count", is(0));
    }

    @Test
    void createWithoutBodyUsesDefaults() {
        String user = newUser();
        as(user).contentType(ContentType.JSON)
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .body("id", matchesPattern(UUID_PATTERN))
                .body("title", nullValue())
                .body("metadata", equalTo(Map.of()));
    }

    @Test
    void getOfAnUnknownConversationIs404NotFound() {
        assertProblem(as(newUser()).get("/api/v1/conversations/{id}", UUID.randomUUID()), 404, "not_found");
    }

    // ---- list ----

    @Test
    void listShowsOnlyTheCallersConversationsNewestFirst() {
        String user = newUser();
        String first = conversation(user);
        String second = conversation(user);
        String third = conversation(user);
        conversation(newUser());

        as(user).get("/api/v1/conversations")
                .then().statusCode(200)
                .body("conversations.id", contains(third, second, first))
                .body("has_more", is(false))
                .body("next_cursor", nullValue());
    }

    @Test
    void listOfACallerWithoutConversationsIsEmpty() {
        as(newUser()).get("/api/v1/conversations")
                .then().statusCode(200)
                .body("conversations", empty())
                .body("has_more", is(false))
                .body("next_cursor", nullValue());
    }

    @Test
    void listPagesWithTheCursorUntilTheLastPage() {
        String user = newUser();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(conversation(user));
        }
        List<String> newestFirst = created.reversed();

        JsonPath first = as(user).queryParam("limit", 2).get("/api/v1/conversations")
                .then().statusCode(200)
                .body("conversations.id", equalTo(newestFirst.subList(0, 2)))
                .body("has_more", is(true))
                .body("next_cursor", notNullValue())
                .extract().jsonPath();
        JsonPath second = as(user).queryParam("limit", 2).queryParam("cursor", first.getString("next_cursor"))
                .get("/api/v1/conversations")
                .then().statusCode(200)
                .body("conversations.id", equalTo(newestFirst.subList(2, 4)))
                .body("has_more", is(true))
                .extract().jsonPath();
        as(user).queryParam("limit", 2).queryParam("cursor", second.getString("next_cursor"))
                .get("/api/v1/conversations")
                .then().statusCode(200)
                .body("conversations.id", equalTo(newestFirst.subList(4, 5)))
                .body("has_more", is(false))
                .body("next_cursor", nullValue());
    }

    @Test
    void listCursorOfAnotherCallerIsRejected() {
        String owner = newUser();
        conversation(owner);
        conversation(owner);
        String cursor = as(owner).queryParam("limit", 1).get("/api/v1/conversations")
                .then().statusCode(200).extract().path("next_cursor");

        assertProblem(as(newUser()).queryParam("cursor", cursor).get("/api/v1/conversations"), 400, "invalid_cursor");
    }

    // ---- PATCH (JSON merge-patch) ----

    @Test
    void patchReplacesTheGivenFieldsAndKeepsTheAbsentOnes() {
        String user = newUser();
        JsonPath before = create(user, fullConversation());

        as(user).contentType("application/merge-patch+json").body(Map.of("title", "Renamed"))
                .patch("/api/v1/conversations/{id}", before.getString("id"))
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("title", equalTo("Renamed"))
                .body("system_prompt", equalTo(before.getString("system_prompt")))
                .body("model", equalTo(before.getString("model")))
                .body("metadata", equalTo(before.getMap("metadata")))
                .body("created_at", equalTo(before.getString("created_at")));

        JsonPath after = as(user).get("/api/v1/conversations/{id}", before.getString("id"))
                .then().statusCode(200)
                .body("title", equalTo("Renamed"))
                .body("system_prompt", equalTo(before.getString("system_prompt")))
                .extract().jsonPath();
        assertThat(Instant.parse(after.getString("updated_at")))
                .isAfter(Instant.parse(before.getString("updated_at")));
    }

    @Test
    void patchAcceptsPlainJsonAsWell() {
        String user = newUser();
        String id = create(user, fullConversation()).getString("id");

        as(user).contentType(ContentType.JSON).body(Map.of("model", "other-model"))
                .patch("/api/v1/conversations/{id}", id)
                .then().statusCode(200)
                .body("model", equalTo("other-model"))
                .body("title", equalTo("Original title"));
    }

    @Test
    void patchWithNullClearsTheField() {
        String user = newUser();
        String id = create(user, fullConversation()).getString("id");

        as(user).contentType("application/merge-patch+json")
                .body("{\"system_prompt\": null, \"model\": null, \"metadata\": null}")
                .patch("/api/v1/conversations/{id}", id)
                .then().statusCode(200)
                .body("system_prompt", nullValue())
                .body("model", nullValue())
                .body("metadata", equalTo(Map.of()))
                .body("title", equalTo("Original title"));

        as(user).get("/api/v1/conversations/{id}", id)
                .then().statusCode(200)
                .body("system_prompt", nullValue())
                .body("model", nullValue())
                .body("metadata", equalTo(Map.of()))
                .body("title", equalTo("Original title"));
    }

    @Test
    void patchOfMetadataMergesItAsRfc7396Says() {
        String user = newUser();
        String id = create(user, Map.of("metadata", Map.of("client", "web", "tags", List.of("a", "b"),
                "prefs", Map.of("lang", "en", "tone", "dry")))).getString("id");

        as(user).contentType("application/merge-patch+json")
                .body("{\"metadata\": {\"colour\": \"blue\", \"client\": null, \"tags\": [\"c\"],"
                        + " \"prefs\": {\"tone\": \"warm\"}}}")
                .patch("/api/v1/conversations/{id}", id)
                .then().statusCode(200)
                .body("metadata", equalTo(Map.of("colour", "blue", "tags", List.of("c"),
                        "prefs", Map.of("lang", "en", "tone", "warm"))));

        as(user).get("/api/v1/conversations/{id}", id)
                .then().body("metadata.colour", equalTo("blue"))
                .body("metadata.client", org.hamcrest.Matchers.nullValue())
                .body("metadata.prefs.lang", equalTo("en"));
    }

    @Test
    void patchThatWouldGrowMetadataPastItsLimitIsRefusedAndChangesNothing() {
        String user = newUser();
        String big = "x".repeat(9_000);
        String id = create(user, Map.of("metadata", Map.of("a", big))).getString("id");

        as(user).contentType(ContentType.JSON).body(Map.of("metadata", Map.of("b", big)))
                .patch("/api/v1/conversations/{id}", id)
                .then().statusCode(400)
                .body("code", equalTo("validation_failed"));
        as(user).get("/api/v1/conversations/{id}", id)
                .then().body("metadata.a", equalTo(big))
                .body("metadata.b", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void patchWithAnEmptyObjectChangesNoField() {
        String user = newUser();
        JsonPath before = create(user, fullConversation());

        as(user).contentType("application/merge-patch+json").body("{}")
                .patch("/api/v1/conversations/{id}", before.getString("id"))
                .then().statusCode(200)
                .body("title", equalTo(before.getString("title")))
                .body("system_prompt", equalTo(before.getString("system_prompt")))
                .body("model", equalTo(before.getString("model")))
                .body("metadata", equalTo(before.getMap("metadata")));
    }

    @Test
    void patchWithAnUnknownFieldIs400AndChangesNothing() {
        String user = newUser();
        JsonPath before = create(user, fullConversation());
        String id = before.getString("id");

        assertProblem(as(user).contentType("application/merge-patch+json")
                .body(Map.of("title", "Sneaky", "message_count", 99))
                .patch("/api/v1/conversations/{id}", id), 400, "validation_failed")
                .body("errors.field", contains("message_count"));

        assertUnchanged(user, before);
    }

    @Test
    void patchThatIsNotAJsonObjectIs400() {
        String user = newUser();
        JsonPath before = create(user, fullConversation());

        assertProblem(as(user).contentType("application/merge-patch+json").body("[\"title\"]")
                .patch("/api/v1/conversations/{id}", before.getString("id")), 400, "validation_failed");

        assertUnchanged(user, before);
    }

    @Test
    void patchOfAnUnknownConversationIs404() {
        assertProblem(as(newUser()).contentType(ContentType.JSON).body(Map.of("title", "x"))
                .patch("/api/v1/conversations/{id}", UUID.randomUUID()), 404, "not_found");
    }

    // ---- DELETE ----

    @Test
    void deleteReturns204ThenTheConversationAndItsMessagesAreGone() throws SQLException {
        String user = newUser();
        String id = conversation(user);
        turn(user, id, "remember this");
        assertThat(storedMessages(id)).isEqualTo(2);

        as(user).delete("/api/v1/conversations/{id}", id)
                .then().statusCode(204)
                .body(equalTo(""));

        assertProblem(as(user).get("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(user).get("/api/v1/conversations/{id}/messages", id), 404, "not_found");
        assertProblem(as(user).delete("/api/v1/conversations/{id}", id), 404, "not_found");
        as(user).get("/api/v1/conversations").then().statusCode(200).body("conversations", empty());
        assertThat(storedMessages(id)).isZero();
    }

    @Test
    void deleteLeavesTheCallersOtherConversationsAlone() {
        String user = newUser();
        String kept = conversation(user);
        String deleted = conversation(user);
        turn(user, kept, "keep me");

        as(user).delete("/api/v1/conversations/{id}", deleted).then().statusCode(204);

        as(user).get("/api/v1/conversations").then().body("conversations.id", contains(kept));
        as(user).get("/api/v1/conversations/{id}/messages", kept)
                .then().statusCode(200).body("total_count", is(2));
    }

    // ---- isolation ----

    @Test
    void anotherUsersConversationIs404ForEveryOperationAndStaysUnchanged() {
        String owner = newUser();
        String intruder = newUser();
        String id = conversation(as(owner), fullConversation());
        turn(owner, id, "private question");
        JsonPath before = as(owner).get("/api/v1/conversations/{id}", id).then().extract().jsonPath();
        String messageId = as(owner).get("/api/v1/conversations/{id}/messages", id).then().extract()
                .path("messages[0].id");
        upstream.reset();

        assertProblem(as(intruder).get("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(intruder).contentType(ContentType.JSON).body(Map.of("title", "pwned"))
                .patch("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(intruder).delete("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(intruder).contentType(ContentType.JSON).body(Map.of("content", "let me in"))
                .post("/api/v1/conversations/{id}/messages", id), 404, "not_found");
        assertProblem(as(intruder).get("/api/v1/conversations/{id}/messages", id), 404, "not_found");
        assertProblem(as(intruder).get("/api/v1/conversations/{id}/messages/{messageId}", id, messageId), 404,
                "not_found");
        as(intruder).get("/api/v1/conversations").then().statusCode(200).body("conversations", empty());

        assertUnchanged(owner, before);
        as(owner).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200)
                .body("total_count", is(2))
                .body("messages.content", contains("private question", "Hello from the fake model."));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void theSameUserIdInAnotherTenantSeesNothing() {
        String tenant = newTenant();
        String user = newUser();
        String id = conversation(as(tenant, user), Map.of("title", "Tenant secret"));
        JsonPath before = as(tenant, user).get("/api/v1/conversations/{id}", id).then().extract().jsonPath();

        for (RequestSpecification stranger : List.of(as(newTenant(), user), as(user))) {
            assertProblem(stranger.get("/api/v1/conversations/{id}", id), 404, "not_found");
        }
        assertProblem(as(newTenant(), user).contentType(ContentType.JSON).body(Map.of("title", "x"))
                .patch("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(newTenant(), user).delete("/api/v1/conversations/{id}", id), 404, "not_found");
        assertProblem(as(newTenant(), user).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", id), 404, "not_found");
        assertProblem(as(newTenant(), user).get("/api/v1/conversations/{id}/messages", id), 404, "not_found");
        as(newTenant(), user).get("/api/v1/conversations").then().statusCode(200).body("conversations", empty());
        as(user).get("/api/v1/conversations").then().statusCode(200).body("conversations", empty());

        assertUnchanged(as(tenant, user), before);
        as(tenant, user).get("/api/v1/conversations").then().body("conversations.id", contains(id));
    }

    // ---- identity ----

    @Test
    void missingUserHeaderIs401UnauthenticatedOnEveryEndpoint() {
        String owner = newUser();
        String id = conversation(owner);

        assertProblem(given().get("/api/v1/conversations"), 401, "unauthenticated");
        assertProblem(given().contentType(ContentType.JSON).body("{}").post("/api/v1/conversations"), 401,
                "unauthenticated");
        assertProblem(given().get("/api/v1/conversations/{id}", id), 401, "unauthenticated");
        assertProblem(given().contentType(ContentType.JSON).body(Map.of("title", "x"))
                .patch("/api/v1/conversations/{id}", id), 401, "unauthenticated");
        assertProblem(given().delete("/api/v1/conversations/{id}", id), 401, "unauthenticated");
        assertProblem(given().contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", id), 401, "unauthenticated");
        assertProblem(given().get("/api/v1/conversations/{id}/messages", id), 401, "unauthenticated");
        assertProblem(given().header("X-User-ID", "  ").get("/api/v1/conversations"), 401, "unauthenticated");

        as(owner).get("/api/v1/conversations/{id}", id).then().statusCode(200).body("message_count", is(0));
    }

    @Test
    void userHeaderWithForbiddenCharactersIs400InvalidIdentity() {
        for (String bad : List.of("alice bob", "alice/bob", "<script>", "alice;drop", "x".repeat(129))) {
            assertProblem(as(bad).get("/api/v1/conversations"), 400, "invalid_identity");
            assertProblem(as(bad).contentType(ContentType.JSON).body("{}").post("/api/v1/conversations"), 400,
                    "invalid_identity");
        }
    }

    @Test
    void userHeaderWithForbiddenCharactersCreatesNothing() throws SQLException {
        String bad = "user-" + UUID.randomUUID() + "!";
        assertProblem(as(bad).contentType(ContentType.JSON).body(Map.of("title", "x")).post("/api/v1/conversations"),
                400, "invalid_identity");

        assertThat(count("SELECT count(*) FROM conversations WHERE user_id = ?", bad)).isZero();
    }

    @Test
    void tenantHeaderWithForbiddenCharactersIs400InvalidIdentity() {
        assertProblem(as("tenant with spaces", newUser()).get("/api/v1/conversations"), 400, "invalid_identity");
    }

    @Test
    void allowedIdentityCharactersAreAccepted() {
        String user = "svc.bot_" + UUID.randomUUID() + "@example.com:+-";
        String id = conversation(user);
        as(user).get("/api/v1/conversations/{id}", id).then().statusCode(200);
    }

    // ---- correlation id ----

    @Test
    void givenRequestIdIsEchoedInBothHeadersOfASuccess() {
        String requestId = "req-" + UUID.randomUUID();
        as(newUser()).header("X-Request-ID", requestId).get("/api/v1/conversations")
                .then().statusCode(200)
                .header("X-Request-ID", requestId)
                .header("X-Correlation-ID", requestId);
    }

    @Test
    void givenRequestIdIsEchoedInBothHeadersAndTheProblemBody() {
        String requestId = "req-" + UUID.randomUUID();
        Response response = as(newUser()).header("X-Request-ID", requestId)
                .get("/api/v1/conversations/{id}", UUID.randomUUID());

        assertProblem(response, 404, "not_found")
                .header("X-Request-ID", requestId)
                .header("X-Correlation-ID", requestId)
                .body("correlation_id", equalTo(requestId));
    }

    @Test
    void givenRequestIdIsEchoedOnAProblemRaisedBeforeAnyResourceRuns() {
        String requestId = "req-" + UUID.randomUUID();
        Response response = given().header("X-Request-ID", requestId).get("/api/v1/no-such-endpoint");

        assertProblem(response, 404, "not_found")
                .header("X-Request-ID", requestId)
                .header("X-Correlation-ID", requestId)
                .body("correlation_id", equalTo(requestId));
    }

    @Test
    void givenCorrelationIdIsUsedWhenThereIsNoRequestId() {
        String correlationId = "corr-" + UUID.randomUUID();
        Response response = given().header("X-Correlation-ID", correlationId).get("/api/v1/conversations");

        assertProblem(response, 401, "unauthenticated")
                .header("X-Request-ID", correlationId)
                .header("X-Correlation-ID", correlationId)
                .body("correlation_id", equalTo(correlationId));
    }

    @Test
    void correlationIdIsGeneratedWhenAbsentAndIsTheSameInHeadersAndBody() {
        Response first = as(newUser()).get("/api/v1/conversations/{id}", UUID.randomUUID());
        Response second = as(newUser()).get("/api/v1/conversations/{id}", UUID.randomUUID());

        String generated = first.header("X-Request-ID");
        assertThat(generated).isNotBlank();
        assertProblem(first, 404, "not_found")
                .header("X-Correlation-ID", generated)
                .body("correlation_id", equalTo(generated));
        assertThat(second.header("X-Request-ID")).isNotBlank().isNotEqualTo(generated);
        assertThat(second.<String> path("correlation_id")).isEqualTo(second.header("X-Request-ID"));
    }

    @Test
    void unsafeRequestIdIsReplacedByAGeneratedOne() {
        String unsafe = "evil\"id with spaces";
        Response response = as(newUser()).header("X-Request-ID", unsafe)
                .get("/api/v1/conversations/{id}", UUID.randomUUID());

        String used = response.header("X-Request-ID");
        assertThat(used).isNotBlank().isNotEqualTo(unsafe);
        assertProblem(response, 404, "not_found")
                .header("X-Correlation-ID", used)
                .body("correlation_id", equalTo(used));
    }

    @Test
    void eachRequestGetsItsOwnCorrelationIdInTheProblemBody() {
        for (int i = 0; i < 20; i++) {
            String requestId = "loop-" + i + "-" + UUID.randomUUID();
            as(newUser()).header("X-Request-ID", requestId)
                    .get("/api/v1/conversations/{id}", UUID.randomUUID())
                    .then().statusCode(404)
                    .body("correlation_id", equalTo(requestId));
            given().get("/api/v1/conversations")
                    .then().statusCode(401)
                    .body("correlation_id", not(equalTo(requestId)));
        }
    }

    // ---- helpers ----

    private static Map<String, Object> fullConversation() {
        return Map.of("title", "Original title", "system_prompt", "Be brief.", "model", "model-a",
                "metadata", Map.of("client", "web", "tier", 2));
    }

    private static JsonPath create(String user, Map<String, Object> body) {
        return as(user).contentType(ContentType.JSON).body(body)
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .extract().jsonPath();
    }

    private static void assertUnchanged(String user, JsonPath before) {
        assertUnchanged(as(user), before);
    }

    private static void assertUnchanged(RequestSpecification owner, JsonPath before) {
        JsonPath now = owner.get("/api/v1/conversations/{id}", before.getString("id"))
                .then().statusCode(200)
                .extract().jsonPath();
        assertThat(now.getMap("")).isEqualTo(before.getMap(""));
    }

    /** Rows in the messages table for a conversation, read past the API so that orphans would show. */
    private static int storedMessages(String conversationId) throws SQLException {
        return count("SELECT count(*) FROM messages WHERE conversation_id = ?", UUID.fromString(conversationId));
    }

    private static int count(String sql, Object parameter) throws SQLException {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String username = config.getValue("quarkus.datasource.username", String.class);
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        try (Connection connection = DriverManager.getConnection(url, username, password);
                PreparedStatement count = connection.prepareStatement(sql)) {
            count.setObject(1, parameter);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
