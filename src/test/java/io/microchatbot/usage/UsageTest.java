package io.microchatbot.usage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * What provider calls cost and how it is summed. Test prices (application.properties): 2 per million prompt tokens,
 * 0.5 per million cached ones, 8 per million completion tokens, so a token costs that many micro-units; the fake
 * provider reports 11 prompt tokens and one completion token per chunk.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class UsageTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @Inject
    UsageRollup rollup;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void cleanUp() {
        upstream.reset();
    }

    @Test
    void aJsonTurnStoresItsPricedUsageRowWithItsReply() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b"));
        String id = conversation(as(tenant, user), Map.of());
        String replyId = turn(id, "hi").extract().path("assistant_message.id");

        Map<String, Object> row = usageRows(user).get(0);
        assertThat(row).containsEntry("source", "turn").containsEntry("prompt_tokens", 11)
                .containsEntry("completion_tokens", 2).containsEntry("cached_tokens", 0)
                .containsEntry("cost_micros", 38).containsEntry("estimated", false)
                .containsEntry("message_id", replyId).containsEntry("conversation_id", id)
                .containsEntry("provider", "openai-compatible");
        assertThat(usageRows(user)).hasSize(1);
    }

    @Test
    void aStreamedTurnIsChargedTheUsageTheProviderReportedNeverZero() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b", "c"));
        String id = conversation(as(tenant, user), Map.of());
        try (SseClient sse = stream(id)) {
            assertThat(sse.rest()).extracting(SseClient.Event::name).contains("message.completed");
        }
        assertThat(upstream.lastRequest().body().getJsonObject("stream_options").getBoolean("include_usage"))
                .isTrue();
        Map<String, Object> row = usageRows(user).get(0);
        assertThat(row).containsEntry("prompt_tokens", 11).containsEntry("completion_tokens", 3)
                .containsEntry("cost_micros", 11 * 2 + 3 * 8).containsEntry("estimated", false);
    }

    @Test
    void aStreamCutShortIsChargedAnEstimateOfWhatWasSent() throws Exception {
        upstream.behave(UpstreamBehavior.reply("one", " two", " three", " four").breakAfter(2));
        String id = conversation(as(tenant, user), Map.of());
        try (SseClient sse = stream(id)) {
            sse.rest();
        }
        Map<String, Object> row = usageRows(user).get(0);
        assertThat(row).containsEntry("estimated", true);
        assertThat((Integer) row.get("completion_tokens")).isPositive();
        assertThat((Integer) row.get("prompt_tokens")).isPositive();
        int expected = (Integer) row.get("prompt_tokens") * 2 + (Integer) row.get("completion_tokens") * 8;
        assertThat(row).containsEntry("cost_micros", expected);
    }

    @Test
    void cachedPromptTokensArePricedAtTheCachedPrice() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b"));
        upstream.reportCachedTokens(5);
        String id = conversation(as(tenant, user), Map.of());
        turn(id, "hi");
        // 6 uncached prompt tokens at 2, 5 cached at 0.5, 2 completion tokens at 8: 30.5, rounded half up.
        assertThat(usageRows(user).get(0)).containsEntry("cached_tokens", 5).containsEntry("cost_micros", 31);
        double cached = registry.get("chatbot.llm.tenant.tokens").tag("tenant", "other").tag("type", "cached")
                .counter().count();
        assertThat(cached).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aReplyWhoseConversationWasDeletedMeanwhileIsStillCharged() throws Exception {
        String id = conversation(as(tenant, user), Map.of());
        java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("paid", " for").gateAfter(1, gate));
        try (SseClient sse = stream(id)) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            as(tenant, user).delete("/api/v1/conversations/{id}", id).then().statusCode(204);
            gate.complete(null);
            sse.rest();
        }
        // The reply is not stored, but the provider was paid: its usage row is written apart.
        await().until(() -> usageRows(user).size() == 1);
        assertThat(usageRows(user).get(0)).containsEntry("source", "turn").containsEntry("completion_tokens", 2)
                .containsEntry("cost_micros", 11 * 2 + 2 * 8);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void aFailedCallThatSentNothingIsNotCharged() throws Exception {
        upstream.behave(UpstreamBehavior.status(400));
        String id = conversation(as(tenant, user), Map.of());
        as(tenant, user).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", id).then()
                .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        assertThat(usageRows(user)).isEmpty();
    }

    @Test
    void usageIsSummedPerGroupExactlyBeforeAndAfterTheRollupWhichNeverCountsARowTwice() throws Exception {
        String other = newUser();
        upstream.behave(UpstreamBehavior.reply("a", "b"));
        String mine = conversation(as(tenant, user), Map.of());
        turn(mine, "one");
        turn(mine, "two");
        String theirs = conversation(as(tenant, other), Map.of());
        as(tenant, other).contentType(ContentType.JSON).body(Map.of("content", "three"))
                .post("/api/v1/conversations/{id}/messages", theirs).then().statusCode(201);
        // Another tenant's usage never shows.
        String stranger = newTenant();
        String strangers = conversation(as(stranger, user), Map.of());
        as(stranger, user).contentType(ContentType.JSON).body(Map.of("content", "four"))
                .post("/api/v1/conversations/{id}/messages", strangers).then().statusCode(201);

        JsonPath before = usage("user,model");
        assertThat(before.getList("groups")).hasSize(2);
        assertThat(group(before, user)).containsEntry("requests", 2).containsEntry("total_tokens", 26)
                .containsEntry("model", FakeLlmServer.MODEL);
        assertThat(cost(group(before, user))).isEqualByComparingTo("0.000076");
        assertThat(group(before, other)).containsEntry("requests", 1);
        assertThat(cost(group(before, other))).isEqualByComparingTo("0.000038");

        // Two replicas' runs at once: one sums the rows, the other, waiting on the watermark, finds nothing left.
        Instant now = Instant.now();
        var runs = Uni.combine().all().unis(rollup.rollUpTo(now), rollup.rollUpTo(now)).asTuple().await()
                .indefinitely();
        assertThat(List.of(runs.getItem1(), runs.getItem2())).containsOnlyOnce(0L);
        assertThat(rollup.rollUpTo(now).await().indefinitely()).isZero();
        assertThat(Sql.text("select sum(requests) from usage_hourly where tenant_id = '" + tenant + "'"))
                .isEqualTo("3");
        JsonPath after = usage("user,model");
        assertThat(after.getList("groups")).isEqualTo(before.getList("groups"));

        // A row after the rollup adds to what it summed, once.
        turn(mine, "five");
        assertThat(group(usage("user"), user)).containsEntry("requests", 3);
        JsonPath total = usage(null);
        assertThat(total.getList("groups")).hasSize(1);
        assertThat(total.getInt("groups[0].requests")).isEqualTo(4);
        assertThat(total.getString("scope")).isEqualTo("tenant");
        JsonPath byDay = usage("day,hour,tenant");
        assertThat(byDay.getString("groups[0].tenant")).isEqualTo(tenant);
        assertThat(byDay.getString("groups[0].day")).isEqualTo(Instant.now().truncatedTo(ChronoUnit.DAYS)
                .toString());
    }

    @Test
    void usageParametersAreValidatedAndNamed() {
        as(tenant, user).queryParam("group_by", "model,colour").get("/api/v1/usage").then().statusCode(400)
                .body("code", equalTo("validation_failed")).body("errors.field", hasItem("group_by"));
        as(tenant, user).queryParam("from", "yesterday").get("/api/v1/usage").then().statusCode(400)
                .body("errors.field", hasItem("from"));
        as(tenant, user).queryParam("from", "2026-12-07T10:30:00Z").get("/api/v1/usage").then().statusCode(400)
                .body("errors.field", hasItem("from"));
        as(tenant, user).queryParam("from", "2026-01-01T00:00:00Z").queryParam("to", "2026-12-01T00:00:00Z")
                .get("/api/v1/usage").then().statusCode(400).body("errors.field", hasItem("to"));
        as(tenant, user).queryParam("from", "2026-12-07T10:00:00Z").queryParam("to", "2026-12-07T10:00:00Z")
                .get("/api/v1/usage").then().statusCode(400).body("errors.field", hasItem("to"));
    }

    @Test
    void theOpenAiDoorChargesItsCallsToo() throws Exception {
        upstream.behave(UpstreamBehavior.reply("a", "b"));
        as(tenant, user).contentType(ContentType.JSON)
                .body(new JsonObject().put("model", FakeLlmServer.MODEL).put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode())
                .post("/v1/chat/completions").then().statusCode(200);
        await().until(() -> usageRows(user).size() == 1);
        assertThat(usageRows(user).get(0)).containsEntry("source", "openai").containsEntry("cost_micros", 38);
        assertThat(group(usage("user"), user)).containsEntry("requests", 1);
    }

    private io.restassured.response.ValidatableResponse turn(String id, String content) {
        return as(tenant, user).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
    }

    private SseClient stream(String id) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"hi\"}", Map.of("X-Tenant-ID", tenant));
    }

    private JsonPath usage(String groupBy) {
        var request = as(tenant, user);
        if (groupBy != null) {
            request = request.queryParam("group_by", groupBy);
        }
        return request.get("/api/v1/usage").then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> group(JsonPath report, String user) {
        List<Map<String, Object>> groups = report.getList("groups");
        return groups.stream().filter(g -> user.equals(g.get("user"))).findFirst().orElseThrow();
    }

    private static java.math.BigDecimal cost(Map<String, Object> group) {
        return new java.math.BigDecimal(String.valueOf(group.get("cost")));
    }

    /** The usage rows of one user, oldest first. */
    static List<Map<String, Object>> usageRows(String user) throws Exception {
        String rows = Sql.text("select coalesce(json_agg(u order by created_at), '[]') from usage_records u"
                + " where user_id = '" + user + "'");
        return new JsonArray(rows).stream().map(row -> ((JsonObject) row).getMap()).toList();
    }
}
