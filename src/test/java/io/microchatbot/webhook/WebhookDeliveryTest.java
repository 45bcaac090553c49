package io.microchatbot.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.EventStream;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.WebhookReceiver;
import io.microchatbot.testing.WebhookReceiver.Received;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.redis.client.Command;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events published to the events stream reach the webhooks of their tenant subscribed to their type: once, signed,
 * retried with backoff until delivered or given up, and never to a target that became internal.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class WebhookDeliveryTest {

    private static final String REPLY_COMPLETED = "chatbot.reply-completed";
    private static final String REPLY_FAILED = "chatbot.reply-failed";
    private static final String CONVERSATION_CREATED = "chatbot.conversation-created";
    private static final String GROUP = "chatbot-webhooks";
    private static WebhookReceiver receiver;

    private final Webhooks caller = new Webhooks(newTenant(), newUser());
    private final String path = "/hooks/" + caller.tenant();
    private final EventStream events = new EventStream();

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void startReceiver() {
        receiver = new WebhookReceiver().start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @AfterEach
    void cleanUp() throws Exception {
        RedisProxyResource.restoreForTheNextTest();
        caller.deleteAll();
        events.deletePublished();
        receiver.forget(path);
    }

    @Test
    void eventIsPostedOnceWithTheEnvelopeAsBodySignedWithTheSecretShownAtCreation() throws Exception {
        JsonPath webhook = caller.register(receiver.url(path), REPLY_COMPLETED);
        UUID eventId = UUID.randomUUID();
        String envelope = EventStream.envelope(REPLY_COMPLETED, eventId, caller.tenant());
        long before = Instant.now().getEpochSecond();
        events.publish(REPLY_COMPLETED, eventId, caller.tenant(), envelope);

        JsonPath log = awaitDelivery(webhook.getString("id"), "delivered");
        Received request = receiver.received(path).get(0);
        assertThat(request.body()).isEqualTo(envelope);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("X-Chatbot-Event")).isEqualTo(REPLY_COMPLETED);
        assertThat(request.header("X-Chatbot-Delivery")).isEqualTo(log.getString("deliveries[0].id"));
        String signature = request.header("X-Chatbot-Signature");
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
        assertThat(t).isBetween(before, Instant.now().getEpochSecond());
        assertThat(signature).endsWith(",v1=" + hmac(webhook.getString("secret"), t + "." + request.body()));

        assertThat(log.getString("deliveries[0].event_id")).isEqualTo(eventId.toString());
        assertThat(log.getString("deliveries[0].event_type")).isEqualTo(REPLY_COMPLETED);
        assertThat(log.getInt("deliveries[0].attempts")).isEqualTo(1);
        assertThat(log.getInt("deliveries[0].last_status_code")).isEqualTo(200);
        assertThat(log.getString("deliveries[0].delivered_at")).isNotNull();
        assertThat(log.getString("deliveries[0].next_attempt_at")).isNull();
        assertThat(log.getString("deliveries[0].last_error")).isNull();
        // Exactly one request, and it stays one.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(receiver.received(path)).hasSize(1));
    }

    @Test
    void onlySubscribedTypesOfTheWebhooksOwnTenantAreDelivered() {
        String id = webhookFor(REPLY_FAILED);
        String otherTenant = newTenant();
        events.publish(CONVERSATION_CREATED, caller.tenant());
        events.publish(REPLY_FAILED, otherTenant);
        UUID subscribed = events.publish(REPLY_FAILED, caller.tenant());

        // Events are read in order: once the last one is delivered, the earlier ones have been looked at.
        JsonPath log = awaitDelivery(id, "delivered");
        assertThat(log.getList("deliveries.event_id")).containsExactly(subscribed.toString());
        assertThat(receiver.received(path)).extracting(Received::body)
                .singleElement().asString().contains(subscribed.toString());
    }

    @Test
    void wildcardSubscriptionGetsEveryTypeOfItsTenant() {
        String id = webhookFor("*");
        List<String> types = List.of(CONVERSATION_CREATED, "chatbot.message-created", REPLY_COMPLETED, REPLY_FAILED,
                "chatbot.conversation-deleted");
        types.forEach(type -> events.publish(type, caller.tenant()));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(caller.deliveries(id)
                .getList("deliveries.status")).hasSize(types.size()).containsOnly("delivered"));
        assertThat(receiver.received(path)).extracting(r -> r.header("X-Chatbot-Event"))
                .containsExactlyInAnyOrderElementsOf(types);
    }

    @Test
    void theSameEventReadTwiceMakesOneDelivery() {
        String id = webhookFor(REPLY_COMPLETED);
        UUID eventId = UUID.randomUUID();
        String envelope = EventStream.envelope(REPLY_COMPLETED, eventId, caller.tenant());
        // Twice in a row (likely one read), then again after it was delivered (another read).
        events.publish(REPLY_COMPLETED, eventId, caller.tenant(), envelope);
        events.publish(REPLY_COMPLETED, eventId, caller.tenant(), envelope);
        awaitDelivery(id, "delivered");
        events.publish(REPLY_COMPLETED, eventId, caller.tenant(), envelope);
        UUID marker = events.publish(REPLY_COMPLETED, caller.tenant());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(caller.deliveries(id)
                .getList("deliveries.event_id")).containsExactly(marker.toString(), eventId.toString()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.received(path)).hasSize(2));
        assertThat(receiver.received(path)).filteredOn(r -> r.body().equals(envelope)).hasSize(1);
    }

    @Test
    void failedAttemptsAreRetriedWithGrowingDelaysUntilDelivered() {
        receiver.script(path, 500, 503);
        String id = webhookFor(REPLY_COMPLETED);
        events.publish(REPLY_COMPLETED, caller.tenant());

        JsonPath log = awaitDelivery(id, "delivered");
        assertThat(log.getInt("deliveries[0].attempts")).isEqualTo(3);
        assertThat(log.getInt("deliveries[0].last_status_code")).isEqualTo(200);
        List<Received> attempts = receiver.received(path);
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(r -> r.header("X-Chatbot-Delivery")).containsOnly(
                log.getString("deliveries[0].id"));
        // Test profile: 200 ms after the first failure, 400 ms after the second.
        assertThat(millisBetween(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(200);
        assertThat(millisBetween(attempts.get(1), attempts.get(2))).isGreaterThanOrEqualTo(400);
    }

    @Test
    void deliveryFailsAfterTheLastAttemptAndRedeliverSendsItAgainWithFreshAttempts() {
        receiver.answerAlways(path, 503);
        String id = webhookFor(REPLY_COMPLETED);
        events.publish(REPLY_COMPLETED, caller.tenant());

        JsonPath log = awaitDelivery(id, "failed");
        String delivery = log.getString("deliveries[0].id");
        assertThat(log.getInt("deliveries[0].attempts")).isEqualTo(4);
        assertThat(log.getInt("deliveries[0].last_status_code")).isEqualTo(503);
        assertThat(log.getString("deliveries[0].last_error")).isEqualTo("HTTP 503");
        assertThat(log.getString("deliveries[0].next_attempt_at")).isNull();
        assertThat(receiver.received(path)).hasSize(4);

        receiver.answerAlways(path, 204);
        as(caller.tenant(), newUser()).post(Webhooks.REDELIVER, id, delivery)
                .then().statusCode(202)
                .body("id", org.hamcrest.Matchers.equalTo(delivery))
                .body("status", org.hamcrest.Matchers.equalTo("pending"))
                .body("attempts", org.hamcrest.Matchers.equalTo(0));
        log = awaitDelivery(id, "delivered");
        assertThat(log.getInt("deliveries[0].attempts")).isEqualTo(1);
        assertThat(log.getInt("deliveries[0].last_status_code")).isEqualTo(204);
        assertThat(receiver.received(path)).hasSize(5);
    }

    @Test
    void receiverThatNeverAnswersIsAFailedAttemptAfterTheTimeout() {
        receiver.script(path, WebhookReceiver.HANG);
        String id = webhookFor(REPLY_COMPLETED);
        events.publish(REPLY_COMPLETED, caller.tenant());

        JsonPath log = awaitDelivery(id, "delivered");
        assertThat(log.getInt("deliveries[0].attempts")).isEqualTo(2);
        List<Received> attempts = receiver.received(path);
        assertThat(attempts).hasSize(2);
        // The 2 s timeout of the test profile, then the 200 ms delay.
        assertThat(millisBetween(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(2_200);
        assertThat(registry.get("chatbot.webhooks.attempts").tag("result", "retry").counter().count()).isPositive();
    }

    @Test
    void unreachableReceiverIsAFailedAttemptWithItsReason() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String id = caller.register("http://127.0.0.1:" + closedPort + "/gone", REPLY_COMPLETED).getString("id");
        events.publish(REPLY_COMPLETED, caller.tenant());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath log = caller.deliveries(id);
            assertThat(log.getInt("deliveries[0].attempts")).isGreaterThanOrEqualTo(1);
            assertThat(log.getString("deliveries[0].last_error")).startsWith("Request failed: ");
            assertThat(log.getString("deliveries[0].last_status_code")).isNull();
        });
    }

    @Test
    void targetIsCheckedAgainBeforeEveryAttempt() throws Exception {
        // As if its name now resolved to an internal address: written past the API's check.
        String id = UUID.randomUUID().toString();
        Sql.execute("insert into webhooks (id, tenant_id, created_by, url, event_types, secret, active, created_at,"
                + " updated_at) values ('" + id + "', '" + caller.tenant() + "', 'someone', 'http://127.0.0.2:"
                + receiver.port() + path + "', '{*}', '" + "s".repeat(32) + "', true, now(), now())");
        events.publish(REPLY_COMPLETED, caller.tenant());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(caller.deliveries(id)
                .getString("deliveries[0].last_error")).isEqualTo("Target forbidden: 127.0.0.2 is a loopback address"));
        assertThat(receiver.received(path)).isEmpty();
    }

    @Test
    void entriesThatAreNotEventsAreSkippedAndLaterEventsStillFlow() {
        String id = webhookFor(REPLY_COMPLETED);
        events.add("eventType", REPLY_COMPLETED, "eventId", "not-a-uuid", "tenantId", caller.tenant(), "envelope", "{}");
        events.add("eventType", REPLY_COMPLETED, "eventId", UUID.randomUUID().toString(), "tenantId", caller.tenant(),
                "envelope", "not json");
        events.add("something", "else");
        UUID good = events.publish(REPLY_COMPLETED, caller.tenant());

        JsonPath log = awaitDelivery(id, "delivered");
        assertThat(log.getList("deliveries.event_id")).containsExactly(good.toString());
    }

    @Test
    void readerCarriesOnAfterARedisOutage() {
        String id = webhookFor(REPLY_COMPLETED);
        double failures = readFailures();
        RedisProxyResource.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> readFailures() > failures);
        // Published to Redis itself while the service cannot reach it.
        UUID eventId = events.publish(REPLY_COMPLETED, caller.tenant());
        RedisProxyResource.restore();

        JsonPath log = awaitDelivery(id, "delivered");
        assertThat(log.getString("deliveries[0].event_id")).isEqualTo(eventId.toString());
    }

    @Test
    void entriesLeftUnacknowledgedByADeadConsumerAreTakenOver() throws Exception {
        // An event read (and acknowledged) while the tenant had no webhook: nothing to deliver then.
        UUID eventId = UUID.randomUUID();
        String entry = events.publish(REPLY_COMPLETED, eventId, caller.tenant(),
                EventStream.envelope(REPLY_COMPLETED, eventId, caller.tenant()));
        await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged(entry));
        String id = webhookFor(REPLY_COMPLETED);

        // Now a consumer that died holds it, unacknowledged for 10 minutes.
        String dead = "dead-consumer-" + caller.tenant();
        RedisKeys.command(Command.XCLAIM, EventStream.STREAM, GROUP, dead, 0, entry, "IDLE", 600_000, "FORCE");
        try {
            JsonPath log = awaitDelivery(id, "delivered");
            assertThat(log.getString("deliveries[0].event_id")).isEqualTo(eventId.toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged(entry));
        } finally {
            RedisKeys.command(Command.XGROUP, "DELCONSUMER", EventStream.STREAM, GROUP, dead);
        }
    }

    /** Registers a webhook of this test's tenant at this test's path of the receiver; returns its id. */
    private String webhookFor(String eventType) {
        return caller.register(receiver.url(path), eventType).getString("id");
    }

    /** The webhook's one delivery once it has this status; the whole log. */
    private JsonPath awaitDelivery(String webhookId, String status) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> caller.deliveries(webhookId), log -> !log.getList("deliveries").isEmpty()
                        && status.equals(log.getString("deliveries[0].status")));
    }

    /** Read by the group and not pending for any consumer. */
    private static boolean acknowledged(String entry) {
        var pending = RedisKeys.command(Command.XPENDING, EventStream.STREAM, GROUP, entry, entry, 1);
        String lastRead = null;
        for (var group : RedisKeys.command(Command.XINFO, "GROUPS", EventStream.STREAM)) {
            if (GROUP.equals(group.get("name").toString())) {
                lastRead = group.get("last-delivered-id").toString();
            }
        }
        return pending.size() == 0 && lastRead != null && compareIds(lastRead, entry) >= 0;
    }

    private static int compareIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int millis = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return millis != 0 ? millis : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    private double readFailures() {
        var counter = registry.find("chatbot.redis.errors").tag("operation", "webhooks-read").counter();
        return counter == null ? 0 : counter.count();
    }

    private static long millisBetween(Received first, Received second) {
        return TimeUnit.NANOSECONDS.toMillis(second.atNanos() - first.atNanos());
    }

    private static String hmac(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
