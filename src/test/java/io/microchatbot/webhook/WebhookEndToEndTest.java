package io.microchatbot.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.WebhookReceiver;
import io.microchatbot.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole way out: a turn over HTTP, its events in the outbox, the stream, then signed POSTs to the receiver. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class WebhookEndToEndTest {

    @Test
    void aTurnsEventsReachTheTenantsWebhookSignedInTheOrderTheyHappened() throws Exception {
        WebhookReceiver receiver = new WebhookReceiver().start();
        Webhooks tenant = new Webhooks(newTenant(), newUser());
        try {
            String path = "/e2e/" + tenant.tenant();
            JsonPath webhook = tenant.register(receiver.url(path), "chatbot.message-created", "chatbot.reply-completed");
            String conversation = as(tenant.tenant(), tenant.user()).contentType(ContentType.JSON).body(Map.of())
                    .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
            as(tenant.tenant(), tenant.user()).header("X-Request-ID", "e2e-turn").contentType(ContentType.JSON)
                    .body(Map.of("content", "hello")).post("/api/v1/conversations/{id}/messages", conversation)
                    .then().statusCode(201);

            List<Received> posts = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received(path),
                    received -> received.size() >= 2);
            assertThat(posts).hasSize(2);
            List<JsonObject> events = posts.stream().map(post -> new JsonObject(post.body()))
                    .sorted((a, b) -> a.getString("timestamp").compareTo(b.getString("timestamp"))).toList();
            assertThat(events).extracting(event -> event.getString("eventType"))
                    .containsExactly("chatbot.message-created", "chatbot.reply-completed");
            assertThat(events).allSatisfy(event -> {
                assertThat(event.getString("correlationId")).isEqualTo("e2e-turn");
                assertThat(event.getJsonObject("data").getString("conversationId")).isEqualTo(conversation);
            });
            for (Received post : posts) {
                String signature = post.header("X-Chatbot-Signature");
                long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
                assertThat(signature).endsWith(",v1=" + hmac(webhook.getString("secret"), t + "." + post.body()));
            }
        } finally {
            receiver.stop();
            tenant.deleteAll();
            RedisKeys.deleteEntries("chatbot.events", tenant.tenant());
            RedisKeys.deleteTenant(tenant.tenant());
            Sql.execute("delete from outbox_events where tenant_id = '" + tenant.tenant() + "'");
        }
    }

    private static String hmac(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
