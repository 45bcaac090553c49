package io.microchatbot.event;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisKeys.StreamEntry;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class CommandsTest {

    private static final String COMMANDS = "chatbot.commands";
    private static final String DEAD_LETTER = "chatbot.dead-letter";
    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @AfterEach
    void cleanUp() throws Exception {
        upstream.reset();
        RedisKeys.deleteEntries(COMMANDS, tenant);
        RedisKeys.deleteEntries(DEAD_LETTER, tenant);
        RedisKeys.deleteEntries("chatbot.events", tenant);
        RedisKeys.deleteTenant(tenant);
        Sql.execute("delete from outbox_events where tenant_id = '" + tenant + "'");
        Sql.execute("delete from conversations where tenant_id = '" + tenant + "'");
    }

    @Test
    void createConversationIsCarriedOutAndItsEventCarriesTheCommandsCorrelationId() throws Exception {
        send(command("chatbot.create-conversation", "cmd-" + UUID.randomUUID(), "corr-create",
                new JsonObject().put("title", "from a command").put("system_prompt", "Be brief.")));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Sql.text("select title from conversations where tenant_id = '" + tenant + "'"))
                        .isEqualTo("from a command"));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outbox("event_type || ' ' || (envelope->>'correlationId')"))
                        .containsExactly("chatbot.conversation-created corr-create"));
    }

    @Test
    void sendMessageRunsATurnWhoseReplyIsPublishedAsAnEventWithTheCorrelationId() throws Exception {
        String id = conversation();
        send(command("chatbot.send-message", "cmd-" + UUID.randomUUID(), "corr-send",
                new JsonObject().put("conversation_id", id).put("content", "hello by command")));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(RedisKeys.entries("chatbot.events", tenant).stream()
                        .map(e -> e.fields().get("eventType") + " "
                                + new JsonObject(e.fields().get("envelope")).getString("correlationId"))
                        .toList())
                        .contains("chatbot.message-created corr-send", "chatbot.reply-completed corr-send"));
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
    }

    @Test
    void aCommandDeliveredTwiceIsCarriedOutOnce() throws Exception {
        String id = conversation();
        String command = command("chatbot.send-message", "cmd-" + UUID.randomUUID(), "corr-twice",
                new JsonObject().put("conversation_id", id).put("content", "only once"));
        double done = done();
        send(command);
        send(command);

        // Both deliveries end as done: the second one replays the first one's recorded answer.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(done()).isEqualTo(done + 2));
        assertThat(pendingOf(2)).isTrue();
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        assertThat(outbox("event_type")).filteredOn("chatbot.message-created"::equals).hasSize(1);
        assertThat(RedisKeys.entries(DEAD_LETTER, tenant)).isEmpty();
    }

    @Test
    void aCommandFailingForAPassingReasonIsRetriedThenDeadLettered() throws Exception {
        String id = conversation();
        // The conversation stays busy (another turn's lease for an hour): each attempt gets conversation_busy.
        Sql.execute("update conversations set turn_lease_until = now() + interval '1 hour' where id = '" + id + "'");
        send(command("chatbot.send-message", "cmd-" + UUID.randomUUID(), "corr-busy",
                new JsonObject().put("conversation_id", id).put("content", "never answered")));

        StreamEntry dead = awaitDeadLetter();
        assertThat(dead.fields()).containsEntry("error", "conversation_busy").containsEntry("attempts", "5")
                .containsEntry("sourceStream", COMMANDS);
        assertThat(new JsonObject(dead.fields().get("command")).getString("correlationId")).isEqualTo("corr-busy");
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void aModelOffTheTenantsAllowListIsADeadLetterAsOverHttp() throws Exception {
        String restricted = "models-restricted";
        RedisKeys.deleteEntries(DEAD_LETTER, restricted);
        try {
            String id = as(restricted, user).contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                    .then().statusCode(201).extract().path("id");
            for (String command : List.of(
                    command("chatbot.create-conversation", "cmd-" + UUID.randomUUID(), null,
                            new JsonObject().put("model", "gpt-5")),
                    command("chatbot.send-message", "cmd-" + UUID.randomUUID(), null,
                            new JsonObject().put("conversation_id", id).put("content", "hi").put("model", "gpt-5")))) {
                RedisKeys.command(Command.XADD, COMMANDS, "*", "tenantId", restricted, "command",
                        new JsonObject(command).put("tenantId", restricted).encode());
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RedisKeys
                    .entries(DEAD_LETTER, restricted).stream().map(e -> e.fields().get("error")).toList())
                    .containsExactly("model_not_allowed", "model_not_allowed"));
            assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
            assertThat(upstream.received()).isEmpty();
        } finally {
            RedisKeys.deleteEntries(COMMANDS, restricted);
            RedisKeys.deleteEntries(DEAD_LETTER, restricted);
        }
    }

    @Test
    void invalidCommandsGoToTheDeadLetterStreamAtOnceWithTheirError() throws Exception {
        String id = conversation();
        JsonObject unknownVersion = new JsonObject(command("chatbot.create-conversation", "cmd-v2", null,
                new JsonObject())).put("version", 2);
        send(unknownVersion.encode());
        send("{not json");
        send(command("chatbot.archive-conversation", "cmd-unknown", null, new JsonObject()));
        send(command("chatbot.send-message", "cmd-empty", null,
                new JsonObject().put("conversation_id", id).put("content", " ")));
        send(command("chatbot.send-message", "cmd-missing", null,
                new JsonObject().put("conversation_id", UUID.randomUUID().toString()).put("content", "hi")));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RedisKeys.entries(DEAD_LETTER, tenant).stream()
                .map(e -> e.fields().get("error") + "/" + e.fields().get("attempts")).toList())
                .containsExactlyInAnyOrder("unsupported_version/1", "invalid_command/1", "unknown_command/1",
                        "validation_failed/1", "not_found/1"));
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void aCommandLeftPendingByADeadConsumerIsTakenOver() throws Exception {
        String commandId = "cmd-" + UUID.randomUUID();
        // Another consumer of the group reads it and dies before acknowledging it.
        try {
            RedisKeys.command(Command.XGROUP, "CREATE", COMMANDS, "chatbot-service", "0", "MKSTREAM");
        } catch (IllegalStateException groupExists) {
            // Created by the service already.
        }
        String entry = send(command("chatbot.create-conversation", commandId, "corr-orphan",
                new JsonObject().put("title", "orphan")));
        RedisKeys.command(Command.XCLAIM, COMMANDS, "chatbot-service", "consumer-of-a-dead-pod", 0, entry);

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(Sql.text("select title from conversations where tenant_id = '" + tenant + "'"))
                        .isEqualTo("orphan"));
    }

    private double done() {
        return registry.find("chatbot.commands").tag("outcome", "done").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private StreamEntry awaitDeadLetter() {
        return await().atMost(Duration.ofSeconds(15)).until(() -> RedisKeys.entries(DEAD_LETTER, tenant),
                entries -> !entries.isEmpty()).get(0);
    }

    /** Whether every entry of this tenant in the commands stream is acknowledged (none pending in the group). */
    private boolean pendingOf(int expectedEntries) {
        List<StreamEntry> entries = RedisKeys.entries(COMMANDS, tenant);
        if (entries.size() != expectedEntries) {
            return false;
        }
        for (StreamEntry e : entries) {
            if (RedisKeys.command(Command.XPENDING, COMMANDS, "chatbot-service", e.id(), e.id(), 1).size() != 0) {
                return false;
            }
        }
        return true;
    }

    private String command(String type, String commandId, String correlationId, JsonObject data) {
        return new JsonObject()
                .put("commandType", type)
                .put("commandId", commandId)
                .put("version", 1)
                .put("timestamp", "2026-11-23T10:00:00Z")
                .put("correlationId", correlationId)
                .put("tenantId", tenant)
                .put("userId", user)
                .put("data", data)
                .encode();
    }

    /** Writes a command entry (with the tenant as a field of its own, so that the test finds its entries). */
    private String send(String command) {
        return RedisKeys.command(Command.XADD, COMMANDS, "*", "tenantId", tenant, "command", command).toString();
    }

    private String conversation() {
        return as(tenant, user).contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    private List<String> outbox(String expression) throws Exception {
        String rows = Sql.text("select string_agg(" + expression + ", E'\\n' order by id) from outbox_events"
                + " where tenant_id = '" + tenant + "'");
        return rows == null ? List.of() : List.of(rows.split("\n"));
    }
}
