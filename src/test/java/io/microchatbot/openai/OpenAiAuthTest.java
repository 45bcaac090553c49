package io.microchatbot.openai;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.security.JwtProfile;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.TokenIssuer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import static io.microchatbot.openai.OpenAiCalls.COMPLETIONS;
import static io.microchatbot.openai.OpenAiCalls.awaitUsageRow;
import static io.microchatbot.openai.OpenAiCalls.body;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * The OpenAI door in the default deployment (CHATBOT_AUTH_MODE=jwt): credentials as OpenAI's SDKs send them, API
 * keys as bearer keys, the scopes each endpoint needs, and refusals as problems with OpenAI's error member.
 */
@QuarkusTest
@TestProfile(JwtProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class OpenAiAuthTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();

    @AfterEach
    void cleanUp() {
        upstream.reset();
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void noOrBadCredentialsAre401WithAnAuthenticationError() {
        given().contentType(ContentType.JSON).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(401)
                .contentType("application/problem+json")
                .body("code", equalTo("unauthenticated"))
                .body("error.type", equalTo("authentication_error"))
                .body("error.code", equalTo("unauthenticated"));
        bearer("sk-not-one-of-ours").body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("error.type", equalTo("authentication_error"));
        bearer("cbk_000000000000_" + "x".repeat(43)).get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("unauthenticated"));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anApiKeySentAsABearerKeyChatsAndItsUsageNamesTheKey() {
        Map<String, String> key = apiKey(List.of("chat", "read"));
        bearer(key.get("key")).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(200)
                .body("choices[0].message.content", equalTo("Hello from the fake model."));
        bearer(key.get("key")).get("/v1/models").then().statusCode(200)
                .body("data[0].id", equalTo(FakeLlmServer.MODEL));
        assertThat(awaitUsageRow("apikey:" + key.get("id"))).containsEntry("tenant_id", tenant)
                .containsEntry("api_key_id", key.get("id"));
        // The key may be sent as X-API-Key, as elsewhere in the API.
        given().header("X-API-Key", key.get("key")).get("/v1/models").then().statusCode(200);
    }

    @Test
    void chatCompletionsNeedTheChatScopeAndModelsTheReadScope() {
        Map<String, String> readOnly = apiKey(List.of("read"));
        bearer(readOnly.get("key")).body(body("Hi").encode()).post(COMPLETIONS).then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("forbidden"))
                .body("error.type", equalTo("permission_error"));
        bearer(readOnly.get("key")).get("/v1/models").then().statusCode(200);
        Map<String, String> chatOnly = apiKey(List.of("chat"));
        bearer(chatOnly.get("key")).get("/v1/models").then().statusCode(403)
                .body("error.type", equalTo("permission_error"));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aUserTokenChatsAsItsSubject() {
        String user = newUser();
        bearer(TokenIssuer.sign(TokenIssuer.user(tenant, user))).body(body("Hi").encode()).post(COMPLETIONS)
                .then().statusCode(200);
        assertThat(awaitUsageRow(user)).containsEntry("tenant_id", tenant).containsEntry("api_key_id", "null");
    }

    /** A new key of the test's tenant: its id and its secret. */
    private Map<String, String> apiKey(List<String> scopes) {
        String admin = TokenIssuer.sign(TokenIssuer.user(tenant, "admin-1").groups("admin"));
        var created = given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON)
                .body(Map.of("name", "sdk", "scopes", scopes)).post("/api/v1/admin/api-keys")
                .then().statusCode(201).extract().jsonPath();
        return Map.of("id", created.getString("id"), "key", created.getString("key"));
    }

    private static RequestSpecification bearer(String credential) {
        return given().header("Authorization", "Bearer " + credential).contentType(ContentType.JSON);
    }
}
