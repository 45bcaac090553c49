package io.microchatbot.webhook;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

/** Registering, reading and deleting webhooks: scoped to the tenant, validated strictly, never aimed inside. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class WebhookResourceTest {

    /** A public address: registering it needs no DNS, and no event is ever published for these tenants. */
    private static final String PUBLIC_URL = "https://93.184.215.14/hooks/chatbot?source=tests";

    private final Webhooks caller = new Webhooks(newTenant(), newUser());
    private final Webhooks otherTenant = new Webhooks(newTenant(), caller.user());

    @AfterEach
    void cleanUp() throws Exception {
        caller.deleteAll();
        otherTenant.deleteAll();
    }

    @Test
    void createShowsAGeneratedSecretOnceAndReadsNeverShowIt() {
        Response created = as(caller.tenant(), caller.user()).contentType(ContentType.JSON)
                .body(Map.of("url", PUBLIC_URL, "event_types", List.of("chatbot.reply-completed",
                        "chatbot.reply-failed"), "description", "CRM sync"))
                .post(Webhooks.WEBHOOKS);
        created.then().statusCode(201)
                .body("url", equalTo(PUBLIC_URL))
                .body("event_types", contains("chatbot.reply-completed", "chatbot.reply-failed"))
                .body("description", equalTo("CRM sync"))
                .body("active", equalTo(true))
                .body("created_by", equalTo(caller.user()));
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/v1/webhooks/" + id);
        // 32 random bytes, base64url without padding.
        assertThat(created.<String> path("secret")).matches("[A-Za-z0-9_-]{43}");

        as(caller.tenant(), caller.user()).get(Webhooks.WEBHOOK, id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("$", not(hasKey("secret")));
        as(caller.tenant(), newUser()).get(Webhooks.WEBHOOKS).then().statusCode(200)
                .body("webhooks.id", contains(id))
                .body("webhooks[0]", not(hasKey("secret")));
    }

    @Test
    void aGivenSecretIsKeptAsGiven() {
        String secret = "whsec_" + "0123456789abcdefghijklmnopqrstuvwxyz";
        as(caller.tenant(), caller.user()).contentType(ContentType.JSON)
                .body(Map.of("url", PUBLIC_URL, "event_types", List.of("*"), "secret", secret))
                .post(Webhooks.WEBHOOKS)
                .then().statusCode(201)
                .body("secret", equalTo(secret))
                .body("event_types", contains("*"));
    }

    @Test
    void everyInvalidFieldIsReportedAtOnceAndNothingIsStored() throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("url", "ftp://93.184.215.14/hooks");
        body.put("event_types", List.of("chatbot.reply-completed", "chatbot.nope", "*", "chatbot.reply-completed"));
        body.put("secret", "too-short");
        body.put("description", "x".repeat(501));
        assertProblem(register(body), 400, "validation_failed")
                .body("errors.field", containsInAnyOrder("url", "event_types[1]", "event_types[3]", "event_types",
                        "secret", "description"))
                .body("errors.find { it.field == 'event_types[1]' }.message",
                        containsString("chatbot.reply-completed"));
        assertThat(caller.storedWebhooks()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "not a url", "/relative/path", "mailto:ops@example.com", "http://", "https:///path",
            "http://user:password@93.184.215.14/", "https://93.184.215.14/#fragment", "http://93.184.215.14:0/",
            "http://93.184.215.14:70000/", "javascript:alert(1)", "file:///etc/passwd" })
    void malformedUrlIs400NamingTheUrl(String url) throws Exception {
        assertProblem(register(Map.of("url", url, "event_types", List.of("*"))), 400, "validation_failed")
                .body("errors.field", contains("url"));
        assertThat(caller.storedWebhooks()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"url\": \"https://93.184.215.14/\"}",
            "{\"url\": \"https://93.184.215.14/\", \"event_types\": []}",
            "{\"url\": \"https://93.184.215.14/\", \"event_types\": [null]}",
            "{\"url\": \"https://93.184.215.14/\", \"event_types\": \"*\"}",
            "{\"url\": \"https://93.184.215.14/\", \"event_types\": [\"*\"], \"active\": false}",
            "{\"url\": \"https://93.184.215.14/\", \"event_types\": [\"*\"], \"secret\": 12345}" })
    void missingWrongOrUnknownFieldsAre400(String body) throws Exception {
        assertProblem(as(caller.tenant(), caller.user()).contentType(ContentType.JSON).body(body)
                .post(Webhooks.WEBHOOKS), 400, "validation_failed");
        assertThat(caller.storedWebhooks()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://127.0.0.2/hook", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.10/",
            "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0:8080/",
            "http://[::1]/", "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://[::ffff:10.0.0.1]/",
            "http://224.0.0.1/", "http://localhost:8080/hook" })
    void targetOffThePublicInternetIsRefused(String url) throws Exception {
        assertProblem(register(Map.of("url", url, "event_types", List.of("*"))), 400, "webhook_target_forbidden")
                .body("detail", containsString("a webhook must reach a public address"));
        assertThat(caller.storedWebhooks()).isZero();
    }

    @Test
    void hostThatDoesNotResolveIs400NamingTheUrl() throws Exception {
        assertProblem(register(Map.of("url", "https://no-such-host.invalid/hook", "event_types", List.of("*"))), 400,
                "validation_failed")
                .body("errors.field", contains("url"))
                .body("errors[0].message", equalTo("has a host that does not resolve"));
        assertThat(caller.storedWebhooks()).isZero();
    }

    @Test
    void anotherTenantsWebhookIs404Everywhere() {
        String id = caller.register(PUBLIC_URL, "*").getString("id");
        String someDelivery = UUID.randomUUID().toString();
        var stranger = as(otherTenant.tenant(), otherTenant.user());

        assertProblem(stranger.get(Webhooks.WEBHOOK, id), 404, "not_found");
        assertProblem(as(otherTenant.tenant(), otherTenant.user()).get(Webhooks.DELIVERIES, id), 404, "not_found");
        assertProblem(as(otherTenant.tenant(), otherTenant.user()).post(Webhooks.REDELIVER, id, someDelivery), 404,
                "not_found");
        assertProblem(as(otherTenant.tenant(), otherTenant.user()).delete(Webhooks.WEBHOOK, id), 404, "not_found");
        as(otherTenant.tenant(), otherTenant.user()).get(Webhooks.WEBHOOKS).then().statusCode(200)
                .body("webhooks", org.hamcrest.Matchers.empty());

        as(caller.tenant(), caller.user()).get(Webhooks.WEBHOOK, id).then().statusCode(200);
    }

    @Test
    void deleteRemovesTheWebhookAndItsDeliveries() throws Exception {
        String id = caller.register(PUBLIC_URL, "*").getString("id");
        insertDelivery(id, "now()");

        as(caller.tenant(), caller.user()).delete(Webhooks.WEBHOOK, id).then().statusCode(204);
        assertProblem(as(caller.tenant(), caller.user()).get(Webhooks.WEBHOOK, id), 404, "not_found");
        assertThat(Sql.text("select count(*) from webhook_deliveries where webhook_id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void deliveriesArePagedNewestFirstWithACursor() throws Exception {
        String id = caller.register(PUBLIC_URL, "*").getString("id");
        String oldest = insertDelivery(id, "now() - interval '3 minutes'");
        String middle = insertDelivery(id, "now() - interval '2 minutes'");
        String newest = insertDelivery(id, "now() - interval '1 minute'");

        JsonPath first = as(caller.tenant(), caller.user()).get(Webhooks.DELIVERIES + "?limit=2", id)
                .then().statusCode(200)
                .body("deliveries.id", contains(newest, middle))
                .body("deliveries[0].status", equalTo("pending"))
                .body("deliveries[0].attempts", equalTo(0))
                .body("deliveries[0].event_type", equalTo("chatbot.reply-completed"))
                .body("deliveries[0]", not(hasKey("payload")))
                .body("has_more", equalTo(true))
                .extract().jsonPath();
        as(caller.tenant(), caller.user()).get(Webhooks.DELIVERIES + "?limit=2&cursor=" + first.getString("next_cursor"),
                id)
                .then().statusCode(200)
                .body("deliveries.id", contains(oldest))
                .body("has_more", equalTo(false));

        for (String limit : List.of("0", "101", "ten")) {
            assertProblem(as(caller.tenant(), caller.user()).get(Webhooks.DELIVERIES + "?limit=" + limit, id), 400,
                    "validation_failed").body("errors.field", contains("limit"));
        }
        assertProblem(as(caller.tenant(), caller.user()).get(Webhooks.DELIVERIES + "?cursor=forged." + "x", id), 400,
                "invalid_cursor");
    }

    @Test
    void redeliverOfAnUnknownDeliveryIs404AndOfABadIdIs400() {
        String id = caller.register(PUBLIC_URL, "*").getString("id");
        assertProblem(as(caller.tenant(), caller.user()).post(Webhooks.REDELIVER, id, UUID.randomUUID().toString()),
                404, "not_found");
        assertProblem(as(caller.tenant(), caller.user()).post(Webhooks.REDELIVER, id, "not-a-uuid"), 400,
                "validation_failed");
        assertProblem(as(caller.tenant(), caller.user()).get(Webhooks.WEBHOOK, "42"), 400, "validation_failed");
    }

    @Test
    void aTenantMayRegisterAtMostTheLimitAndThenMustDeleteOne() throws Exception {
        int limit = 20;
        for (int i = 0; i < limit; i++) {
            caller.register(PUBLIC_URL + "&n=" + i, "*");
        }
        assertProblem(register(Map.of("url", PUBLIC_URL, "event_types", List.of("*"))), 409, "webhook_limit_reached");
        assertThat(caller.storedWebhooks()).isEqualTo(limit);
        // Another tenant has a limit of its own.
        otherTenant.register(PUBLIC_URL, "*");
    }

    @Test
    void callerWithoutIdentityIs401() {
        assertProblem(io.restassured.RestAssured.given().get(Webhooks.WEBHOOKS), 401, "unauthenticated");
    }

    private Response register(Map<String, Object> body) {
        return as(caller.tenant(), caller.user()).contentType(ContentType.JSON).body(body).post(Webhooks.WEBHOOKS);
    }

    private static String insertDelivery(String webhookId, String createdAt) throws Exception {
        String id = UUID.randomUUID().toString();
        Sql.execute("insert into webhook_deliveries (id, webhook_id, event_id, event_type, payload, status,"
                + " next_attempt_at, created_at) values ('" + id + "', '" + webhookId + "', '" + UUID.randomUUID()
                + "', 'chatbot.reply-completed', '{}', 'pending', now() + interval '1 day', " + createdAt + ")");
        return id;
    }
}
