package io.microchatbot.event;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.KafkaBroker;
import io.microchatbot.testing.KafkaTopic;
import io.microchatbot.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Commands read from the commands topic by the consumer group {@code chatbot-service}, offsets committed once each
 * is carried out; passing failures retried then dead-lettered, permanent ones dead-lettered at once, to the
 * dead-letter topic with the record's key, value and headers, plus why.
 */
@QuarkusTest
@TestProfile(KafkaTransport.class)
@QuarkusTestResource(FakeLlmResource.class)
class KafkaCommandsTest {

    private static final String COMMANDS = "chatbot.commands";
    private static final String DEAD_LETTER = "chatbot.dead-letter";
    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @AfterEach
    void cleanUp() throws Exception {
        upstream.reset();
        Sql.execute("delete from outbox_events where tenant_id = '" + tenant + "'");
        Sql.execute("delete from conversations where tenant_id = '" + tenant + "'");
    }

    @Test
    void commandsAreCarriedOutTheirEventsCarryTheCorrelationIdAndTheirOffsetsAreCommittedAfterwards() throws Exception {
        send(command("chatbot.create-conversation", "corr-create", new JsonObject().put("title", "by kafka")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Sql.text(
                "select title from conversations where tenant_id = '" + tenant + "'")).isEqualTo("by kafka"));
        String id = Sql.text("select id::text from conversations where tenant_id = '" + tenant + "'");

        send(command("chatbot.send-message", "corr-send", new JsonObject().put("conversation_id", id)
                .put("content", "hello by kafka")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(KafkaTopic.records(
                KafkaEventsTest.TOPIC, "tenantId", tenant).stream().map(
                        record -> KafkaTopic.header(record,
                                "eventType") + " " + new JsonObject(record.value()).getString("correlationId"))
                .toList())
                .containsExactly("chatbot.conversation-created corr-create", "chatbot.message-created corr-send",
                        "chatbot.reply-completed corr-send"));
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        await().atMost(Duration.ofSeconds(10)).until(this::everyCommandCommitted);
    }

    @Test
    void aCommandDeliveredTwiceIsCarriedOutOnce() throws Exception {
        String id = conversation();
        String command = command("chatbot.send-message", "corr-twice",
                new JsonObject().put("conversation_id", id).put("content", "only once"));
        send(command);
        send(command);

        await().atMost(Duration.ofSeconds(20)).until(this::everyCommandCommitted);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        assertThat(Sql.text("select count(*) from outbox_events where tenant_id = '" + tenant
                + "' and event_type = 'chatbot.message-created'")).isEqualTo("1");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aCommandFailingForAPassingReasonIsRetriedThenDeadLetteredWithItsKeyValueAndHeaders() throws Exception {
        String id = conversation();
        // The conversation stays busy (another turn's lease for an hour): each attempt gets conversation_busy.
        Sql.execute("update conversations set turn_lease_until = now() + interval '1 hour' where id = '" + id + "'");
        String command = command("chatbot.send-message", "corr-busy",
                new JsonObject().put("conversation_id", id).put("content", "never answered"));
        KafkaBroker.shared().send(COMMANDS, "key-" + tenant, command, Map.of("tenantId", tenant, "route", "r-7"));

        ConsumerRecord<String, String> dead = awaitDeadLetter();
        assertThat(dead.key()).isEqualTo("key-" + tenant);
        assertThat(dead.value()).isEqualTo(command);
        assertThat(KafkaTopic.header(dead, "route")).isEqualTo("r-7");
        assertThat(KafkaTopic.header(dead, "error")).isEqualTo("conversation_busy");
        assertThat(KafkaTopic.header(dead, "attempts")).isEqualTo("5");
        assertThat(KafkaTopic.header(dead, "sourceTopic")).isEqualTo(COMMANDS);
        assertThat(KafkaTopic.header(dead, "sourceOffset")).isNotBlank();
        assertThat(KafkaTopic.header(dead, "failedAt")).isNotBlank();
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
        await().atMost(Duration.ofSeconds(10)).until(this::everyCommandCommitted);
    }

    @Test
    void invalidAndUnknownCommandsAreDeadLetteredAtOnceWithTheirError() throws Exception {
        send("this is not JSON");
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 1);
        send(new JsonObject(command("chatbot.send-message", "corr-v2", new JsonObject())).put("version", 2).encode());
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 2);

        List<ConsumerRecord<String, String>> dead = deadLetters();
        assertThat(dead).extracting(record -> KafkaTopic.header(record, "error"))
                .containsExactlyInAnyOrder("invalid_command", "unsupported_version");
        assertThat(dead).extracting(record -> KafkaTopic.header(record, "attempts")).containsOnly("1");
        await().atMost(Duration.ofSeconds(10)).until(this::everyCommandCommitted);
    }

    private ConsumerRecord<String, String> awaitDeadLetter() {
        return await().atMost(Duration.ofSeconds(30)).until(this::deadLetters, records -> !records.isEmpty()).get(0);
    }

    private List<ConsumerRecord<String, String>> deadLetters() {
        return KafkaTopic.records(DEAD_LETTER, "tenantId", tenant);
    }

    /** Whether the group has committed every partition of the commands topic up to its end. */
    private boolean everyCommandCommitted() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("chatbot-service")
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            admin.describeTopics(List.of(COMMANDS)).allTopicNames().get(5, TimeUnit.SECONDS).get(COMMANDS)
                    .partitions().forEach(p -> latest.put(new TopicPartition(COMMANDS, p.partition()),
                            OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
            return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || committed.get(end.getKey()) != null
                            && committed.get(end.getKey()).offset() == end.getValue().offset());
        }
    }

    private String command(String type, String correlationId, JsonObject data) {
        return new JsonObject()
                .put("commandType", type)
                .put("commandId", "cmd-" + UUID.randomUUID())
                .put("version", 1)
                .put("correlationId", correlationId)
                .put("tenantId", tenant)
                .put("userId", user)
                .put("data", data)
                .encode();
    }

    /** Writes a command keyed by the tenant, with the tenant as a header so that the test finds its dead letters. */
    private void send(String command) {
        KafkaBroker.shared().send(COMMANDS, tenant, command, Map.of("tenantId", tenant));
    }

    private String conversation() {
        return as(tenant, user).contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }
}
