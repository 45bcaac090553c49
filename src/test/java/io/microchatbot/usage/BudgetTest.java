package io.microchatbot.usage;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.TokenIssuer;
import io.microchatbot.testing.UpstreamBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.GrpcClient.assertStatus;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

/** Budgets that trip mid-day, and who may see whose usage. */
@QuarkusTest
@TestProfile(BudgetProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class BudgetTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String user = newUser();

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void freshBudgets() throws Exception {
        for (String tenant : List.of(BudgetProfile.TURNS, BudgetProfile.OPENAI, BudgetProfile.NO_REDIS)) {
            RedisKeys.deleteMatching("chatbot:spend:{" + tenant + "}:*");
            Sql.execute("delete from outbox_events where tenant_id = '" + tenant + "'");
        }
        upstream.behave(UpstreamBehavior.reply("a", "b"));
    }

    @AfterEach
    void cleanUp() {
        RedisProxyResource.restoreForTheNextTest();
        upstream.reset();
    }

    @Test
    void aTenantIsChargedUntilItsDailyBudgetIsSpentThenRefusedBeforeTheProviderIsCalled() throws Exception {
        String tenant = BudgetProfile.TURNS;
        String id = conversation(tenant, user);
        double softBefore = softReached();
        // 38 micro-units a turn against a limit of 100 (soft 50): the third turn starts at 76 and ends at 114.
        turn(tenant, id, "one").statusCode(201);
        turn(tenant, id, "two").statusCode(201);
        turn(tenant, id, "three").statusCode(201);
        int calls = upstream.received().size();

        turn(tenant, id, "refused").statusCode(429)
                .contentType("application/problem+json")
                .body("code", equalTo("budget_exhausted"))
                .header("Retry-After", matchesPattern("\\d+"));
        assertThat(upstream.received()).hasSize(calls);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id
                + "' and content = 'refused'")).isEqualTo("0");
        // Another user of the tenant is refused too, and so are a stream (before it starts) and gRPC turns.
        String other = newUser();
        turn(tenant, conversation(tenant, other), "me neither", other).statusCode(429)
                .body("code", equalTo("budget_exhausted"));
        as(tenant, user).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("content", "streamed")).post("/api/v1/conversations/{id}/messages", id).then()
                .statusCode(429).body("code", equalTo("budget_exhausted"));
        try (GrpcClient grpc = new GrpcClient()) {
            var caller = grpc.blocking(Map.of("authorization", "Bearer " + token(tenant, user, false)));
            SendMessageRequest send = SendMessageRequest.newBuilder().setConversationId(id).setContent("by gRPC")
                    .build();
            assertStatus(catchThrowableOfType(StatusRuntimeException.class, () -> caller.sendMessage(send)),
                    Status.Code.RESOURCE_EXHAUSTED, "budget_exhausted");
            assertStatus(catchThrowableOfType(StatusRuntimeException.class,
                    () -> caller.sendMessageStream(send).hasNext()), Status.Code.RESOURCE_EXHAUSTED,
                    "budget_exhausted");
        }
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("6");
        // The soft limit was crossed once (by the second turn): one event, one count.
        assertThat(Sql.text("select count(*) from outbox_events where tenant_id = '" + tenant
                + "' and event_type = 'chatbot.budget-soft-limit-reached'")).isEqualTo("1");
        assertThat(Sql.text("select envelope->'data'->>'spent' from outbox_events where tenant_id = '" + tenant
                + "' and event_type = 'chatbot.budget-soft-limit-reached'")).isEqualTo("0.000076");
        assertThat(softReached() - softBefore).isEqualTo(1.0);
        assertThat(registry.get("chatbot.llm.cost").tag("tenant", tenant).tag("currency", "USD").counter()
                .count()).isGreaterThanOrEqualTo(0.000114);
        assertThat(upstream.received()).hasSize(calls);
    }

    @Test
    void theOpenAiDoorIsChargedAndRefusedInItsOwnErrorShape() {
        String tenant = BudgetProfile.OPENAI;
        completion(tenant).statusCode(200);
        completion(tenant).statusCode(200);
        int calls = upstream.received().size();
        completion(tenant).statusCode(429)
                .body("code", equalTo("budget_exhausted"))
                .body("error.code", equalTo("budget_exhausted"))
                .body("error.type", equalTo("insufficient_quota"));
        assertThat(upstream.received()).hasSize(calls);
    }

    @Test
    void anApiKeyIsHeldToItsOwnBudgetWhileItsTenantHasNone() throws Exception {
        String tenant = newTenant();
        Sql.execute("delete from api_keys where id = '" + BudgetProfile.KEY_ID + "'");
        Map<String, String> created = apiKey(token(tenant, "admin-" + newUser(), true));
        Sql.execute("update api_keys set id = '" + BudgetProfile.KEY_ID + "' where id = '" + created.get("id") + "'");
        RedisKeys.deleteMatching("chatbot:spend:{" + tenant + "}:*");
        RequestSpecification key = given().header("X-API-Key", created.get("key")).contentType(ContentType.JSON);
        String id = key.body(Map.of()).post("/api/v1/conversations").then().statusCode(201).extract().path("id");
        for (String content : List.of("one", "two")) {
            given().header("X-API-Key", created.get("key")).contentType(ContentType.JSON)
                    .body(Map.of("content", content)).post("/api/v1/conversations/{id}/messages", id).then()
                    .statusCode(201);
        }
        int calls = upstream.received().size();
        given().header("X-API-Key", created.get("key")).contentType(ContentType.JSON)
                .body(Map.of("content", "three")).post("/api/v1/conversations/{id}/messages", id).then()
                .statusCode(429).body("code", equalTo("budget_exhausted"))
                .body("detail", org.hamcrest.Matchers.startsWith("This API key"));
        assertThat(upstream.received()).hasSize(calls);
        // The tenant's other callers are not held to the key's budget.
        turn(tenant, conversation(tenant, user), "not the key", user).statusCode(201);
        assertThat(Sql.text("select count(*) from usage_records where api_key_id = '" + BudgetProfile.KEY_ID
                + "' and tenant_id = '" + tenant + "'")).isEqualTo("2");
    }

    @Test
    void withoutRedisEachPodHoldsItsShareOfTheBudget() throws Exception {
        String tenant = BudgetProfile.NO_REDIS;
        String id = conversation(tenant, user);
        RedisProxyResource.cut();
        turn(tenant, id, "one").statusCode(201);
        turn(tenant, id, "two").statusCode(201);
        turn(tenant, id, "three").statusCode(201);
        int calls = upstream.received().size();
        turn(tenant, id, "refused locally").statusCode(429).body("code", equalTo("budget_exhausted"));
        assertThat(upstream.received()).hasSize(calls);
    }

    @Test
    void aCallerSeesItsOwnUsageATenantAdminTheTenantsAndNobodyAnotherTenants() throws Exception {
        String tenant = newTenant();
        String other = newUser();
        turn(tenant, conversation(tenant, user), "mine", user).statusCode(201);
        turn(tenant, conversation(tenant, other), "theirs", other).statusCode(201);
        String admin = token(tenant, "admin-" + newUser(), true);
        Map<String, String> key = apiKey(admin);
        given().header("X-API-Key", key.get("key")).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/conversations").then().statusCode(201);
        String keyConversation = given().header("X-API-Key", key.get("key")).contentType(ContentType.JSON)
                .body(Map.of()).post("/api/v1/conversations").then().statusCode(201).extract().path("id");
        given().header("X-API-Key", key.get("key")).contentType(ContentType.JSON).body(Map.of("content", "by key"))
                .post("/api/v1/conversations/{id}/messages", keyConversation).then().statusCode(201);

        JsonPath own = usage(token(tenant, user, false), "user");
        assertThat(own.getString("scope")).isEqualTo("user");
        assertThat(own.getList("groups.user")).containsExactly(user);

        JsonPath whole = usage(admin, "user,api_key");
        assertThat(whole.getString("scope")).isEqualTo("tenant");
        assertThat(whole.getList("groups.user")).containsExactlyInAnyOrder(user, other, "apikey:" + key.get("id"));
        List<Map<String, Object>> groups = whole.getList("groups");
        assertThat(groups).filteredOn(g -> key.get("id").equals(g.get("api_key"))).hasSize(1);

        // Another tenant's admin sees only its own (empty) tenant, and naming this tenant in a header is refused.
        String stranger = token(newTenant(), "admin-x", true);
        assertThat(usage(stranger, "tenant").getList("groups")).isEmpty();
        given().header("Authorization", "Bearer " + stranger).header("X-Tenant-ID", tenant).get("/api/v1/usage")
                .then().statusCode(403);
        // Without the read scope: 403.
        given().header("X-API-Key", apiKey(admin, List.of("chat")).get("key")).get("/api/v1/usage").then()
                .statusCode(403);
    }

    private double softReached() {
        var counter = registry.find("chatbot.usage.budget.soft.reached").tag("tenant", BudgetProfile.TURNS)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private ValidatableResponse completion(String tenant) {
        return given().header("Authorization", "Bearer " + token(tenant, user, false)).contentType(ContentType.JSON)
                .body(new JsonObject().put("model", FakeLlmServer.MODEL).put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode())
                .post("/v1/chat/completions").then();
    }

    private static String token(String tenant, String user, boolean admin) {
        var claims = TokenIssuer.user(tenant, user);
        return TokenIssuer.sign(admin ? claims.groups("admin") : claims);
    }

    private static RequestSpecification as(String tenant, String user) {
        return given().header("Authorization", "Bearer " + token(tenant, user, false));
    }

    private static String conversation(String tenant, String user) {
        return as(tenant, user).contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    private ValidatableResponse turn(String tenant, String id, String content) {
        return turn(tenant, id, content, user);
    }

    private static ValidatableResponse turn(String tenant, String id, String content, String user) {
        return as(tenant, user).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id).then();
    }

    private static JsonPath usage(String token, String groupBy) {
        return given().header("Authorization", "Bearer " + token).queryParam("group_by", groupBy)
                .get("/api/v1/usage").then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, String> apiKey(String admin) {
        return apiKey(admin, List.of("chat", "read"));
    }

    private static Map<String, String> apiKey(String admin, List<String> scopes) {
        var created = given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON)
                .body(Map.of("name", "usage-" + scopes.size(), "scopes", scopes)).post("/api/v1/admin/api-keys")
                .then().statusCode(201).extract().jsonPath();
        return Map.of("id", created.getString("id"), "key", created.getString("key"));
    }
}
