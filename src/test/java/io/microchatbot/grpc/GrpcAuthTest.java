package io.microchatbot.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.ChatServiceGrpc.ChatServiceBlockingStub;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.DeleteConversationRequest;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.ListConversationsRequest;
import io.microchatbot.grpc.v1.ListMessagesRequest;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.security.JwtProfile;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.TokenIssuer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.GrpcClient.assertStatus;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Authentication and authorization of gRPC calls in the default deployment (chatbot.auth.mode=jwt, as
 * SecurityTest's): credentials from the metadata (authorization: Bearer, x-api-key), by the same rules as REST.
 */
@QuarkusTest
@TestProfile(JwtProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class GrpcAuthTest {

    private final String tenant = newTenant();
    private final String user = newUser();
    private final List<String> secrets = new ArrayList<>();
    private GrpcClient grpc;

    @BeforeEach
    void connect() {
        grpc = new GrpcClient();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        grpc.close();
        FakeLlmResource.server().reset();
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void withoutCredentialsEveryCallIsUnauthenticatedAndCallerMetadataAloneIsNotTrusted() throws Exception {
        for (ChatServiceBlockingStub anonymous : List.of(grpc.blocking(Map.of()),
                grpc.blocking(Map.of("x-user-id", user, "x-tenant-id", tenant)),
                grpc.blocking(Map.of("authorization", "Basic dXNlcjpwYXNz")))) {
            List<StatusRuntimeException> failures = List.of(
                    refusedWith(() -> anonymous.listConversations(ListConversationsRequest.getDefaultInstance())),
                    refusedWith(() -> anonymous.createConversation(CreateConversationRequest.getDefaultInstance())),
                    refusedWith(() -> anonymous.sendMessageStream(send(java.util.UUID.randomUUID().toString(), "hi"))
                            .hasNext()));
            for (StatusRuntimeException failure : failures) {
                assertStatus(failure, Status.Code.UNAUTHENTICATED, "unauthenticated");
            }
        }
        assertThat(Sql.text("select count(*) from conversations where tenant_id = '" + tenant + "'")).isEqualTo("0");
    }

    @Test
    void everyFlawedTokenIsUnauthenticatedAndNotEchoed() throws Exception {
        Map<String, String> flawed = new LinkedHashMap<>();
        flawed.put("expired", token(TokenIssuer.user(tenant, user).issuedAt(Instant.now().minusSeconds(600))
                .expiresAt(Instant.now().minusSeconds(120))));
        flawed.put("wrong issuer", token(TokenIssuer.user(tenant, user).issuer("https://evil.test")));
        flawed.put("wrong audience", token(TokenIssuer.user(tenant, user).audience("another-service")));
        flawed.put("alg none", TokenIssuer.unsigned(TokenIssuer.user(tenant, user)));
        flawed.put("tampered payload", TokenIssuer.tampered(TokenIssuer.user(tenant, user), "someone-else"));
        flawed.put("unknown kid", TokenIssuer.sign(TokenIssuer.user(tenant, user), TokenIssuer.unpublished()));
        flawed.put("not a JWT", "abc.def");

        flawed.forEach((what, token) -> {
            StatusRuntimeException failure = refusedWith(() -> bearer(token)
                    .listConversations(ListConversationsRequest.getDefaultInstance()));
            assertStatus(failure, Status.Code.UNAUTHENTICATED, "unauthenticated");
            assertThat(failure.getStatus().getDescription()).as(what).doesNotContain(token);
            assertThat(GrpcClient.details(failure).toString()).as(what).doesNotContain(token);
        });
    }

    @Test
    void aValidUserTokenChatsAsItsSubjectInItsTenantAndSeesNobodyElses() throws Exception {
        ChatServiceBlockingStub owner = bearer(token(TokenIssuer.user(tenant, user)));

        String id = owner.createConversation(CreateConversationRequest.newBuilder().setTitle("mine").build()).getId();
        SendMessageResponse turn = owner.sendMessage(send(id, "hi"));

        assertThat(turn.getUserMessage().getUserId()).isEqualTo(user);
        assertThat(Sql.text("select tenant_id || '/' || user_id from conversations where id = '" + id + "'"))
                .isEqualTo(tenant + "/" + user);
        given().header("Authorization", "Bearer " + token(TokenIssuer.user(tenant, user)))
                .get("/api/v1/conversations/{id}", id).then().statusCode(200);
        for (String stranger : List.of(token(TokenIssuer.user(tenant, newUser())),
                token(TokenIssuer.user(newTenant(), user)))) {
            assertStatus(refusedWith(() -> bearer(stranger).getConversation(get(id))), Status.Code.NOT_FOUND,
                    "not_found");
            assertStatus(refusedWith(() -> bearer(stranger).sendMessage(send(id, "intruder"))),
                    Status.Code.NOT_FOUND, "not_found");
        }
        assertThat(owner.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).build())
                .getTotalCount()).isEqualTo(2);
    }

    @Test
    void aUserTokenCannotActForAnotherUserOrTenant() {
        String token = token(TokenIssuer.user(tenant, user));

        for (Map<String, String> other : List.of(Map.of("x-user-id", "someone-else"),
                Map.of("x-tenant-id", newTenant()))) {
            Map<String, String> metadata = new LinkedHashMap<>(other);
            metadata.put("authorization", "Bearer " + token);
            ChatServiceBlockingStub impersonating = grpc.blocking(metadata);
            assertStatus(refusedWith(() -> impersonating.listConversations(
                    ListConversationsRequest.getDefaultInstance())), Status.Code.PERMISSION_DENIED, "forbidden");
            assertStatus(refusedWith(() -> impersonating.createConversation(
                    CreateConversationRequest.getDefaultInstance())), Status.Code.PERMISSION_DENIED, "forbidden");
        }
        // Naming itself is fine.
        grpc.blocking(Map.of("authorization", "Bearer " + token, "x-user-id", user, "x-tenant-id", tenant))
                .listConversations(ListConversationsRequest.getDefaultInstance());
    }

    @Test
    void aServiceTokenActsForTheUserItNames() {
        String service = token(TokenIssuer.service(tenant, "billing"));
        ChatServiceBlockingStub forUser = grpc.blocking(Map.of("authorization", "Bearer " + service,
                "x-user-id", user));

        String id = forUser.createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        SendMessageResponse turn = forUser.sendMessage(send(id, "on behalf"));

        assertThat(turn.getUserMessage().getUserId()).isEqualTo(user);
        assertThat(bearer(token(TokenIssuer.user(tenant, user))).getConversation(get(id)).getMessageCount())
                .isEqualTo(2);
        // The service without a user is a caller of its own.
        assertStatus(refusedWith(() -> bearer(service).getConversation(get(id))), Status.Code.NOT_FOUND,
                "not_found");
        // A token with the internal scope but no service claim is a user token: no impersonation.
        String notAService = token(TokenIssuer.user(tenant, "svc-x").claim("scope", "internal"));
        assertStatus(refusedWith(() -> grpc.blocking(Map.of("authorization", "Bearer " + notAService,
                "x-user-id", user)).getConversation(get(id))), Status.Code.PERMISSION_DENIED, "forbidden");
    }

    @Test
    void apiKeysAreCallersOfTheirOwnWithTheirScopes() throws Exception {
        String admin = token(TokenIssuer.user(tenant, "admin-1").groups("admin"));
        Map<String, String> checkout = apiKey(admin, "checkout", List.of("chat", "read"));
        String key = checkout.get("key");
        String readOnly = apiKey(admin, "reports", List.of("read")).get("key");
        ChatServiceBlockingStub withKey = grpc.blocking(Map.of("x-api-key", key));

        String id = withKey.createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        SendMessageResponse turn = withKey.sendMessage(send(id, "from a key"));
        assertThat(turn.getUserMessage().getUserId()).isEqualTo("apikey:" + checkout.get("id"));
        assertThat(Sql.text("select tenant_id from conversations where id = '" + id + "'")).isEqualTo(tenant);
        assertThat(withKey.getConversation(get(id)).getMessageCount()).isEqualTo(2);
        // Not a user of the tenant, and it cannot act for one.
        assertStatus(refusedWith(() -> bearer(token(TokenIssuer.user(tenant, user))).getConversation(get(id))),
                Status.Code.NOT_FOUND, "not_found");
        assertStatus(refusedWith(() -> grpc.blocking(Map.of("x-api-key", key, "x-user-id", user))
                .listConversations(ListConversationsRequest.getDefaultInstance())), Status.Code.PERMISSION_DENIED,
                "forbidden");

        ChatServiceBlockingStub reader = grpc.blocking(Map.of("x-api-key", readOnly));
        assertThat(reader.listConversations(ListConversationsRequest.getDefaultInstance())
                .getConversationsList()).isEmpty();
        String readersOwn = "a conversation the read-only key cannot write to";
        List<StatusRuntimeException> writes = List.of(
                refusedWith(() -> reader.createConversation(CreateConversationRequest.newBuilder()
                        .setTitle(readersOwn).build())),
                refusedWith(() -> reader.sendMessage(send(id, "not allowed"))),
                refusedWith(() -> reader.sendMessageStream(send(id, "not allowed")).hasNext()),
                refusedWith(() -> reader.deleteConversation(DeleteConversationRequest.newBuilder()
                        .setConversationId(id).build())));
        for (StatusRuntimeException failure : writes) {
            assertStatus(failure, Status.Code.PERMISSION_DENIED, "forbidden");
            assertThat(failure.getStatus().getDescription()).contains("'chat' scope");
        }
        assertThat(Sql.text("select count(*) from conversations where tenant_id = '" + tenant
                + "' and title = '" + readersOwn + "'")).isEqualTo("0");
        assertThat(Sql.text("select count(*) from messages where tenant_id = '" + tenant
                + "' and content = 'not allowed'")).isEqualTo("0");

        for (String unknown : List.of("cbk_not-a-key-" + java.util.UUID.randomUUID(), "garbage")) {
            assertStatus(refusedWith(() -> grpc.blocking(Map.of("x-api-key", unknown))
                    .listConversations(ListConversationsRequest.getDefaultInstance())), Status.Code.UNAUTHENTICATED,
                    "unauthenticated");
        }
        // A revoked key is refused at once.
        given().header("Authorization", "Bearer " + admin).delete("/api/v1/admin/api-keys/{id}", checkout.get("id"))
                .then().statusCode(204);
        assertStatus(refusedWith(() -> withKey.getConversation(get(id))), Status.Code.UNAUTHENTICATED,
                "unauthenticated");
        String log = java.nio.file.Files.readString(java.nio.file.Path.of("target/quarkus-test.log"));
        assertThat(secrets).allSatisfy(secret -> assertThat(log).doesNotContain(secret));
    }

    private ChatServiceBlockingStub bearer(String token) {
        return grpc.blocking(Map.of("authorization", "Bearer " + token));
    }

    private String token(JwtClaimsBuilder claims) {
        String token = TokenIssuer.sign(claims);
        secrets.add(token);
        return token;
    }

    /** A new API key of the admin's tenant: its id and its secret. */
    private Map<String, String> apiKey(String admin, String name, List<String> scopes) {
        var created = given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON)
                .body(Map.of("name", name, "scopes", scopes)).post("/api/v1/admin/api-keys")
                .then().statusCode(201).extract().jsonPath();
        secrets.add(created.getString("key"));
        return Map.of("id", created.getString("id"), "key", created.getString("key"));
    }

    private static StatusRuntimeException refusedWith(Runnable call) {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(failure).as("the call fails with a status").isNotNull();
        return failure;
    }

    private static SendMessageRequest send(String conversationId, String content) {
        return SendMessageRequest.newBuilder().setConversationId(conversationId).setContent(content).build();
    }

    private static GetConversationRequest get(String id) {
        return GetConversationRequest.newBuilder().setConversationId(id).build();
    }
}
