package io.microchatbot.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.OnVertxContext;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisKeys.StreamEntry;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class OutboxTest {

    private static final String STREAM = "chatbot.events";
    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @Inject
    OutboxRelay relay;

    @Inject
    Vertx vertx;

    @AfterEach
    void cleanUp() throws Exception {
        RedisProxyResource.restoreForTheNextTest();
        upstream.reset();
        RedisKeys.deleteEntries(STREAM, tenant);
        RedisKeys.deleteTenant(tenant);
        Sql.execute("delete from outbox_events where tenant_id = '" + tenant + "'");
    }

    @Test
    void everyStateChangeWritesExactlyOneEventCarryingTheRequestsCorrelationId() throws Exception {
        String id = conversation("create-1");
        turn(id, "hello", "turn-1").then().statusCode(201);
        upstream.behave(UpstreamBehavior.status(500));
        turn(id, "again", "turn-2").then().statusCode(503);
        upstream.reset();
        caller().header("X-Request-ID", "delete-1").delete("/api/v1/conversations/{id}", id).then().statusCode(204);

        assertThat(outbox("event_type || ' ' || (envelope->>'correlationId')")).containsExactly(
                "chatbot.conversation-created create-1",
                "chatbot.message-created turn-1",
                "chatbot.reply-completed turn-1",
                "chatbot.message-created turn-2",
                "chatbot.reply-failed turn-2",
                "chatbot.conversation-deleted delete-1");
        JsonObject failed = new JsonObject(outbox("envelope::text").get(4));
        assertThat(failed.getInteger("version")).isEqualTo(1);
        assertThat(failed.getString("tenantId")).isEqualTo(tenant);
        assertThat(failed.getJsonObject("data").getString("status")).isEqualTo("failed");
        assertThat(failed.getJsonObject("data").getJsonObject("error").getString("code")).isEqualTo("llm_unavailable");
        JsonObject completed = new JsonObject(outbox("envelope::text").get(2));
        assertThat(completed.getJsonObject("data").getString("content")).isEqualTo(FakeLlmServer.defaultBehavior().text());
        assertThat(completed.getJsonObject("data").getString("replyTo"))
                .isEqualTo(new JsonObject(outbox("envelope::text").get(1)).getJsonObject("data").getString("messageId"));
    }

    @Test
    void aRolledBackWriteWritesNoEvent() throws Exception {
        String id = conversation("create-2");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("never", " stored").gateAfter(1, gate));
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"first\"}", Map.of("X-Tenant-ID", tenant))) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            // Refused while the first turn runs: its transaction rolls back.
            turn(id, "busy", "turn-busy").then().statusCode(409);
            // Deleted while the reply streams: storing the reply fails and rolls back.
            caller().delete("/api/v1/conversations/{id}", id).then().statusCode(204);
            gate.complete(null);
            sse.rest();
        }
        assertThat(outbox("event_type")).containsExactly("chatbot.conversation-created", "chatbot.message-created",
                "chatbot.conversation-deleted");
    }

    @Test
    void eventsArePublishedToTheStreamInOrderAndMarkedPublished() throws Exception {
        String id = conversation("create-3");
        turn(id, "one", null).then().statusCode(201);
        turn(id, "two", null).then().statusCode(201);

        List<String> ids = outbox("event_id::text");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(published().stream().map(e -> e.fields().get("eventId")).toList()).isEqualTo(ids));
        StreamEntry first = published().get(0);
        assertThat(first.fields()).containsEntry("eventType", "chatbot.conversation-created")
                .containsEntry("conversationId", id);
        assertThat(new JsonObject(first.fields().get("envelope")).getString("eventId")).isEqualTo(ids.get(0));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outbox("(published_at is not null)::text")).containsOnly("true"));
    }

    @Test
    void whileRedisIsDownEventsWaitInPostgresAndAppearInOrderWhenItReturns() throws Exception {
        RedisProxyResource.cut();
        String id = conversation("create-4");
        turn(id, "while redis is down", null).then().statusCode(201);
        turn(id, "still down", null).then().statusCode(201);
        Thread.sleep(1000);
        assertThat(outbox("(published_at is null)::text")).hasSize(5).containsOnly("true");

        RedisProxyResource.restore();
        List<String> ids = outbox("event_id::text");
        await().atMost(Duration.ofSeconds(40)).untilAsserted(
                () -> assertThat(published().stream().map(e -> e.fields().get("eventId")).toList()).isEqualTo(ids));
    }

    @Test
    void relaysRunningInParallelPublishEachEventOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(conversation("create-p" + i));
        }
        // Three more relays besides the scheduled one, all at once.
        List<CompletableFuture<Integer>> relays = List.of(OnVertxContext.start(vertx, relay.drain()),
                OnVertxContext.start(vertx, relay.drain()), OnVertxContext.start(vertx, relay.drain()));
        for (CompletableFuture<Integer> r : relays) {
            r.get(20, TimeUnit.SECONDS);
        }
        List<String> events = outbox("event_id::text");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(published().stream().map(e -> e.fields().get("eventId")).toList())
                        .containsExactlyElementsOf(events));
        assertThat(published().stream().map(e -> e.fields().get("conversationId")).toList())
                .containsExactlyElementsOf(ids);
    }

    private List<StreamEntry> published() {
        return RedisKeys.entries(STREAM, tenant);
    }

    /** One column expression per outbox row of this test's tenant, in outbox order. */
    private List<String> outbox(String expression) throws Exception {
        String rows = Sql.text("select string_agg(" + expression + ", E'\\n' order by id) from outbox_events"
                + " where tenant_id = '" + tenant + "'");
        return rows == null ? List.of() : List.of(rows.split("\n"));
    }

    private String conversation(String requestId) {
        return caller().header("X-Request-ID", requestId).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
    }

    private io.restassured.response.Response turn(String id, String content, String requestId) {
        RequestSpecification request = caller().contentType(ContentType.JSON).body(Map.of("content", content));
        if (requestId != null) {
            request = request.header("X-Request-ID", requestId);
        }
        return request.post("/api/v1/conversations/{id}/messages", id);
    }

    private RequestSpecification caller() {
        return as(tenant, user);
    }
}
