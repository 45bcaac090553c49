package io.microchatbot.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.TokenIssuer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@TestProfile(JwtProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class SecurityTest {

    private final String tenant = newTenant();
    private final String user = newUser();
    private final List<String> secrets = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void aValidUserTokenChatsAndReadsAsItsSubjectInItsTenant() {
        String token = token(TokenIssuer.user(tenant, user));
        String id = conversation(bearer(token));
        bearer(token).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201)
                .body("user_message.user_id", equalTo(user));
        bearer(token).get("/api/v1/conversations/{id}", id).then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-store");
    }

    @Test
    void everyFlawedTokenIs401WithAProblem() throws Exception {
        Map<String, String> flawed = new LinkedHashMap<>();
        flawed.put("expired", token(TokenIssuer.user(tenant, user).issuedAt(Instant.now().minusSeconds(600))
                .expiresAt(Instant.now().minusSeconds(120))));
        flawed.put("not yet valid", token(TokenIssuer.user(tenant, user).claim("nbf", Instant.now().plusSeconds(600)
                .getEpochSecond())));
        flawed.put("wrong issuer", token(TokenIssuer.user(tenant, user).issuer("https://evil.test")));
        flawed.put("wrong audience", token(TokenIssuer.user(tenant, user).audience("another-service")));
        flawed.put("alg none", TokenIssuer.unsigned(TokenIssuer.user(tenant, user)));
        flawed.put("HS256 with the public key", TokenIssuer.hmacWithPublicKey(TokenIssuer.user(tenant, user)));
        flawed.put("tampered payload", TokenIssuer.tampered(TokenIssuer.user(tenant, user), "someone-else"));
        flawed.put("unknown kid", TokenIssuer.sign(TokenIssuer.user(tenant, user), TokenIssuer.unpublished()));
        flawed.put("not a JWT", "abc.def");
        flawed.forEach((what, token) -> bearer(token).get("/api/v1/conversations")
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("code", equalTo("unauthenticated"))
                .body(not(org.hamcrest.Matchers.containsString(token)))
                .log().ifValidationFails());
        given().get("/api/v1/conversations").then().statusCode(401).body("code", equalTo("unauthenticated"));
        // Headers alone are not trusted in this mode.
        given().header("X-User-ID", user).get("/api/v1/conversations").then().statusCode(401);
    }

    @Test
    void aTokenSignedWithARotatedInKeyIsAcceptedOnceTheJwksPublishesIt() {
        TokenIssuer.SigningKey next = TokenIssuer.rotate();
        String token = TokenIssuer.sign(TokenIssuer.user(tenant, user), next);
        bearer(token).get("/api/v1/conversations").then().statusCode(200);
    }

    @Test
    void aUserTokenCannotActForAnotherUserOrTenant() {
        String token = token(TokenIssuer.user(tenant, user));
        bearer(token).header("X-User-ID", "someone-else").get("/api/v1/conversations")
                .then().statusCode(403).body("code", equalTo("forbidden"));
        bearer(token).header("X-Tenant-ID", newTenant()).get("/api/v1/conversations")
                .then().statusCode(403).body("code", equalTo("forbidden"));
        bearer(token).header("X-User-ID", user).get("/api/v1/conversations").then().statusCode(200);
    }

    @Test
    void aServiceTokenActsForTheUserItNames() {
        String service = token(TokenIssuer.service(tenant, "billing"));
        String id = conversation(bearer(service).header("X-User-ID", user));
        // The user's own token sees it; the service without a user is a caller of its own.
        bearer(token(TokenIssuer.user(tenant, user))).get("/api/v1/conversations/{id}", id).then().statusCode(200);
        bearer(service).get("/api/v1/conversations/{id}", id).then().statusCode(404);
        // A token with the internal scope but no service claim is a user token: no impersonation.
        String notAService = token(TokenIssuer.user(tenant, "svc-x").claim("scope", "internal"));
        bearer(notAService).header("X-User-ID", user).get("/api/v1/conversations").then().statusCode(403);
    }

    @Test
    void apiKeysAreCreatedUsedRotatedAndRevokedByAdminsOnlyAndTheirSecretsNeverLogged() throws Exception {
        String admin = token(TokenIssuer.user(tenant, "admin-1").groups("admin"));
        bearer(token(TokenIssuer.user(tenant, user))).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "scopes", List.of("chat"))).post("/api/v1/admin/api-keys")
                .then().statusCode(403).body("code", equalTo("forbidden"));

        var created = bearer(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "checkout", "scopes", List.of("chat", "read")))
                .post("/api/v1/admin/api-keys").then().statusCode(201)
                .body("prefix", startsWith("cbk_")).body("scopes", equalTo(List.of("chat", "read")))
                .extract().jsonPath();
        String keyId = created.getString("id");
        String key = created.getString("key");
        secrets.add(key);
        bearer(admin).get("/api/v1/admin/api-keys").then().statusCode(200)
                .body("find { it.id == '" + keyId + "' }.key", nullValue())
                .body("find { it.id == '" + keyId + "' }.name", equalTo("checkout"));

        String id = conversation(apiKey(key));
        apiKey(key).get("/api/v1/conversations/{id}", id).then().statusCode(200);
        // The key is a caller of its own: not a user of the tenant.
        bearer(token(TokenIssuer.user(tenant, user))).get("/api/v1/conversations/{id}", id).then().statusCode(404);
        apiKey(key).header("X-User-ID", user).get("/api/v1/conversations").then().statusCode(403);
        apiKey(key).get("/api/v1/admin/cache/stats").then().statusCode(403);

        String rotated = bearer(admin).post("/api/v1/admin/api-keys/{id}/rotate", keyId).then().statusCode(200)
                .extract().path("key");
        secrets.add(rotated);
        apiKey(key).get("/api/v1/conversations").then().statusCode(401).body("code", equalTo("unauthenticated"));
        // The same caller after rotation: it still sees what it created.
        apiKey(rotated).get("/api/v1/conversations/{id}", id).then().statusCode(200);

        bearer(admin).delete("/api/v1/admin/api-keys/{id}", keyId).then().statusCode(204);
        apiKey(rotated).get("/api/v1/conversations").then().statusCode(401);
        bearer(admin).get("/api/v1/admin/api-keys").then().statusCode(200)
                .body("find { it.id == '" + keyId + "' }.revoked_at", not(nullValue()));

        // A read-only key cannot write; an admin of another tenant cannot see or revoke this tenant's keys.
        String readOnly = bearer(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "reports", "scopes", List.of("read"))).post("/api/v1/admin/api-keys")
                .then().statusCode(201).extract().path("key");
        secrets.add(readOnly);
        apiKey(readOnly).get("/api/v1/conversations").then().statusCode(200);
        apiKey(readOnly).contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(403);
        String otherAdmin = token(TokenIssuer.user(newTenant(), "admin-2").groups("admin"));
        bearer(otherAdmin).delete("/api/v1/admin/api-keys/{id}", keyId).then().statusCode(404);
        bearer(admin).contentType(ContentType.JSON).body(Map.of("name", "", "scopes", List.of("root")))
                .post("/api/v1/admin/api-keys").then().statusCode(400).body("errors.field", org.hamcrest.Matchers
                        .hasItems("name", "scopes"));

        String log = Files.readString(Path.of("target/quarkus-test.log"));
        assertThat(secrets).allSatisfy(secret -> assertThat(log).doesNotContain(secret));
        assertThat(log).doesNotContain(admin);
    }

    @Test
    void anInvalidApiKeyRequestNamesEveryBadFieldInOrderAndCreatesNothing() {
        String admin = token(TokenIssuer.user(newTenant(), "admin-v").groups("admin"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", " ".repeat(3));
        body.put("scopes", List.of("root", "chat", "owner"));
        body.put("expires_at", "tomorrow");
        body.put("turn_rate", 0);
        body.put("turn_capacity", 0);
        bearer(admin).contentType(ContentType.JSON).body(body).post("/api/v1/admin/api-keys")
                .then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", equalTo(List.of("name", "scopes", "scopes", "expires_at", "turn_rate",
                        "turn_capacity")))
                .body("errors.message", equalTo(List.of("is required, 1-100 characters",
                        "'root' is not one of chat, read, admin", "'owner' is not one of chat, read, admin",
                        "must be an ISO-8601 instant, e.g. 2027-01-31T00:00:00Z", "must be above 0",
                        "must be at least 1")));
        bearer(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x".repeat(101), "scopes", List.of(), "expires_at", "2020-01-01T00:00:00Z"))
                .post("/api/v1/admin/api-keys").then().statusCode(400)
                .body("errors.field", equalTo(List.of("name", "scopes", "expires_at")))
                .body("errors.message", equalTo(List.of("is required, 1-100 characters",
                        "is required: one or more of chat, read, admin", "must be in the future")));
        bearer(admin).get("/api/v1/admin/api-keys").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void anotherTenantOrUserGets404OnEveryEndpoint() {
        String owner = token(TokenIssuer.user(tenant, user));
        String id = conversation(bearer(owner));
        String messageId = bearer(owner).contentType(ContentType.JSON).body(Map.of("content", "private"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201)
                .extract().path("user_message.id");
        String cursor = bearer(owner).get("/api/v1/conversations/{id}/messages?limit=1", id).then().statusCode(200)
                .extract().path("next_cursor");

        for (String stranger : List.of(token(TokenIssuer.user(tenant, newUser())),
                token(TokenIssuer.user(newTenant(), user)))) {
            expect404(bearer(stranger).get("/api/v1/conversations/{id}", id));
            expect404(bearer(stranger).contentType("application/merge-patch+json").body("{\"title\":\"x\"}")
                    .patch("/api/v1/conversations/{id}", id));
            expect404(bearer(stranger).get("/api/v1/conversations/{id}/messages", id));
            expect404(bearer(stranger).get("/api/v1/conversations/{id}/messages?cursor=" + cursor, id));
            expect404(bearer(stranger).get("/api/v1/chat/conversations/{id}/messages", id));
            expect404(bearer(stranger).get("/api/v1/conversations/{id}/messages/{m}", id, messageId));
            expect404(bearer(stranger).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                    .post("/api/v1/conversations/{id}/messages", id));
            expect404(bearer(stranger).delete("/api/v1/conversations/{id}", id));
            bearer(stranger).get("/api/v1/conversations").then().statusCode(200)
                    .body("conversations.id", not(org.hamcrest.Matchers.hasItem(id)));
        }
        bearer(owner).get("/api/v1/conversations/{id}", id).then().statusCode(200);
    }

    @Test
    void anApiKeysOwnTurnLimitReplacesTheDefaultAndItsUseIsRecorded() {
        String admin = token(TokenIssuer.user(tenant, "admin-1").groups("admin"));
        var created = bearer(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "tight", "scopes", List.of("chat", "read"), "turn_capacity", 1, "turn_rate", 0.01))
                .post("/api/v1/admin/api-keys").then().statusCode(201).extract().jsonPath();
        String key = created.getString("key");
        secrets.add(key);
        String id = conversation(apiKey(key));
        apiKey(key).contentType(ContentType.JSON).body(Map.of("content", "one"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201)
                .header("RateLimit-Limit", "1");
        apiKey(key).contentType(ContentType.JSON).body(Map.of("content", "two"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(429)
                .body("code", equalTo("rate_limited"));
        bearer(admin).get("/api/v1/admin/api-keys").then().statusCode(200)
                .body("find { it.id == '" + created.getString("id") + "' }.last_used_at", not(nullValue()))
                .body("find { it.id == '" + created.getString("id") + "' }.turn_capacity", equalTo(1));
    }

    @Test
    void adminEndpointsNeedTheAdminRole() {
        bearer(token(TokenIssuer.user(tenant, user))).get("/api/v1/admin/cache/stats").then().statusCode(403);
        // A webhook receives every user's events: only admins may register one.
        Map<String, Object> webhook = Map.of("url", "http://127.0.0.1:9/hook", "event_types", List.of("*"));
        bearer(token(TokenIssuer.user(tenant, user))).contentType(ContentType.JSON).body(webhook)
                .post("/api/v1/webhooks").then().statusCode(403).body("code", equalTo("forbidden"));
        bearer(token(TokenIssuer.user(tenant, user))).get("/api/v1/webhooks").then().statusCode(403);
        String admin = token(TokenIssuer.user(tenant, "admin-1").groups("admin"));
        String id = bearer(admin).contentType(ContentType.JSON).body(webhook).post("/api/v1/webhooks")
                .then().statusCode(201).extract().path("id");
        bearer(token(TokenIssuer.user(newTenant(), "admin-2").groups("admin"))).get("/api/v1/webhooks/{id}", id)
                .then().statusCode(404);
        bearer(admin).delete("/api/v1/webhooks/{id}", id).then().statusCode(204);
        bearer(token(TokenIssuer.user(tenant, user).claim("scope", "admin"))).get("/api/v1/admin/cache/stats")
                .then().statusCode(200);
        bearer(token(TokenIssuer.user(tenant, user).groups("admin"))).get("/api/v1/admin/cache/stats")
                .then().statusCode(200);
    }

    private static void expect404(io.restassured.response.Response response) {
        response.then().statusCode(404).body("code", equalTo("not_found"));
    }

    private String token(JwtClaimsBuilder claims) {
        String token = TokenIssuer.sign(claims);
        secrets.add(token);
        return token;
    }

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static RequestSpecification apiKey(String key) {
        return given().header("X-API-Key", key);
    }

    private static String conversation(RequestSpecification caller) {
        return caller.contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }
}
