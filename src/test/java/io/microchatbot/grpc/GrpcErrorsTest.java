package io.microchatbot.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.ChatServiceGrpc.ChatServiceBlockingStub;
import io.microchatbot.grpc.v1.Conversation;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.DeleteConversationRequest;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.GetMessageRequest;
import io.microchatbot.grpc.v1.ListConversationsRequest;
import io.microchatbot.grpc.v1.ListMessagesRequest;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.GrpcClient.assertStatus;
import static io.microchatbot.testing.GrpcClient.detail;
import static io.microchatbot.testing.GrpcClient.retryDelay;
import static io.microchatbot.testing.GrpcClient.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The unhappy paths of microchatbot.v1.ChatService, over a real gRPC client on the service's port: each refusal is
 * the status and details of its error code (GrpcProblems), with REST's field names, and runs nothing.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class GrpcErrorsTest {

    private static final String KEY = "idempotency-key";
    private static final int CONTENT_MAX = 32_000;
    private static final int METADATA_MAX_BYTES = 16_384;

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String user = newUser();
    private GrpcClient grpc;

    @BeforeEach
    void connect() {
        grpc = new GrpcClient();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        grpc.close();
        upstream.reset();
    }

    // ---- validation ----

    @Test
    void invalidMessagesAreInvalidArgumentWithTheFieldsAndMessagesOfRestAndStoreNothing() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        Struct bigMetadata = struct("k", "m".repeat(METADATA_MAX_BYTES - 7));
        Map<String, Object> bigRestMetadata = Map.of("k", "m".repeat(METADATA_MAX_BYTES - 7));

        List<Case> cases = List.of(
                new Case("blank content", send(id, "   "), List.of("content"),
                        () -> as(user).contentType(ContentType.JSON).body(Map.of("content", "   "))
                                .post("/api/v1/conversations/{id}/messages", id)),
                new Case("empty content", send(id, ""), List.of("content"),
                        () -> as(user).contentType(ContentType.JSON).body(Map.of("content", ""))
                                .post("/api/v1/conversations/{id}/messages", id)),
                new Case("content too long", send(id, "x".repeat(CONTENT_MAX + 1)), List.of("content"),
                        () -> as(user).contentType(ContentType.JSON).body(Map.of("content", "x".repeat(CONTENT_MAX + 1)))
                                .post("/api/v1/conversations/{id}/messages", id)),
                new Case("NUL in content", send(id, "before\u0000after"), List.of("content"),
                        () -> as(user).contentType(ContentType.JSON).body("{\"content\":\"before\\u0000after\"}")
                                .post("/api/v1/conversations/{id}/messages", id)),
                new Case("metadata too big and blank content",
                        send(id, " ").toBuilder().setMetadata(bigMetadata).build(), List.of("content", "metadata"),
                        () -> as(user).contentType(ContentType.JSON).body(Map.of("content", " ", "metadata",
                                bigRestMetadata)).post("/api/v1/conversations/{id}/messages", id)));
        for (Case c : cases) {
            StatusRuntimeException unary = refusedWith(() -> grpc.as(user).sendMessage(c.request()));
            StatusRuntimeException streamed = refusedWith(() -> grpc.as(user).sendMessageStream(c.request()).hasNext());
            for (StatusRuntimeException failure : List.of(unary, streamed)) {
                assertStatus(failure, Status.Code.INVALID_ARGUMENT, "validation_failed");
                assertThat(violatedFields(failure)).as(c.what()).isEqualTo(c.fields());
                assertSameViolationsAsRest(failure, c.rest().get(), c.what());
            }
        }

        assertThat(upstream.received()).as("the LLM was never called").isEmpty();
        assertThat(grpc.as(user).getConversation(get(id)).getMessageCount()).isZero();
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void invalidConversationsAreInvalidArgumentWithTheFieldsAndMessagesOfRestAndCreateNothing() throws Exception {
        List<NewCase> cases = List.of(
                new NewCase("title too long", CreateConversationRequest.newBuilder().setTitle("t".repeat(201))
                        .build(), "title", Map.of("title", "t".repeat(201))),
                new NewCase("not a model name", CreateConversationRequest.newBuilder().setModel("no such model!")
                        .build(), "model", Map.of("model", "no such model!")),
                new NewCase("metadata with NUL", CreateConversationRequest.newBuilder()
                        .setMetadata(struct("k", "a\u0000b")).build(), "metadata",
                        Map.of("metadata",
                                Map.of("k", "a\u0000b"))),
                new NewCase("metadata too big", CreateConversationRequest.newBuilder()
                        .setMetadata(struct("k", "m".repeat(METADATA_MAX_BYTES))).build(), "metadata",
                        Map.of("metadata", Map.of("k", "m".repeat(METADATA_MAX_BYTES)))));
        String restUser = newUser();
        for (NewCase c : cases) {
            StatusRuntimeException failure = refusedWith(() -> grpc.as(user).createConversation(c.request()));
            assertStatus(failure, Status.Code.INVALID_ARGUMENT, "validation_failed");
            assertThat(violatedFields(failure)).as(c.what()).containsExactly(c.field());
            assertSameViolationsAsRest(failure, as(restUser).contentType(ContentType.JSON).body(c.rest())
                    .post("/api/v1/conversations"), c.what());
        }

        assertThat(grpc.as(user).listConversations(ListConversationsRequest.getDefaultInstance())
                .getConversationsCount()).isZero();
        assertThat(Sql.text("select count(*) from conversations where user_id = '" + user + "'")).isEqualTo("0");
    }

    @Test
    void badIdsLimitsOrdersAndCursorsAreInvalidArgumentForTheirField() {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        ChatServiceBlockingStub stub = grpc.as(user);

        List<Map.Entry<String, Runnable>> byField = List.of(
                Map.entry("conversation_id", () -> stub.getConversation(get("not-a-uuid"))),
                Map.entry("conversation_id", () -> stub.sendMessage(send(UUID.randomUUID().toString()
                        .replace('-', '_'), "hi"))),
                Map.entry("conversation_id", () -> stub.sendMessageStream(send("", "hi")).hasNext()),
                Map.entry("conversation_id", () -> stub.deleteConversation(DeleteConversationRequest.newBuilder()
                        .setConversationId("").build())),
                Map.entry("conversation_id", () -> stub.listMessages(ListMessagesRequest.newBuilder()
                        .setConversationId(id + "0").build())),
                Map.entry("message_id", () -> stub.getMessage(GetMessageRequest.newBuilder().setConversationId(id)
                        .setMessageId("42").build())),
                Map.entry("limit", () -> stub.listConversations(ListConversationsRequest.newBuilder().setLimit(101)
                        .build())),
                Map.entry("limit", () -> stub.listConversations(ListConversationsRequest.newBuilder().setLimit(-1)
                        .build())),
                Map.entry("limit", () -> stub.listMessages(ListMessagesRequest.newBuilder().setConversationId(id)
                        .setLimit(101).build())),
                Map.entry("order", () -> stub.listMessages(ListMessagesRequest.newBuilder().setConversationId(id)
                        .setOrderValue(7).build())));
        for (Map.Entry<String, Runnable> call : byField) {
            StatusRuntimeException failure = refusedWith(call.getValue());
            assertStatus(failure, Status.Code.INVALID_ARGUMENT, "validation_failed");
            assertThat(violatedFields(failure)).as(call.getKey()).containsExactly(call.getKey());
        }
        // The REST twins of the same checks name the same query parameters, with the same words.
        assertThat(description(refusedWith(() -> stub.listConversations(ListConversationsRequest.newBuilder()
                .setLimit(101).build())))).isEqualTo(as(user).queryParam("limit", 101)
                        .get("/api/v1/conversations").then().statusCode(400).extract().path("errors[0].message"));

        StatusRuntimeException cursor = refusedWith(() -> stub.listConversations(ListConversationsRequest
                .newBuilder().setCursor("bm90LWEtY3Vyc29y.AAAA").build()));
        assertStatus(cursor, Status.Code.INVALID_ARGUMENT, "invalid_cursor");
        StatusRuntimeException messagesCursor = refusedWith(() -> stub.listMessages(ListMessagesRequest.newBuilder()
                .setConversationId(id).setCursor("garbage").build()));
        assertStatus(messagesCursor, Status.Code.INVALID_ARGUMENT, "invalid_cursor");
    }

    @Test
    void malformedDeadlineMetadataIsInvalidArgumentAndRunsNoTurn() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();

        for (Map.Entry<String, String> deadline : List.of(Map.entry("grpc-timeout", "soon"),
                Map.entry("grpc-timeout", "123456789S"), Map.entry("grpc-timeout", "5s"),
                Map.entry("x-envoy-expected-rq-timeout-ms", "-5"),
                Map.entry("x-envoy-expected-rq-timeout-ms", "later"))) {
            ChatServiceBlockingStub stub = grpc.blocking(Map.of("x-user-id", user, deadline.getKey(),
                    deadline.getValue()));
            for (StatusRuntimeException failure : List.of(
                    refusedWith(() -> stub.sendMessage(send(id, "hello"))),
                    refusedWith(() -> stub.sendMessageStream(send(id, "hello")).hasNext()))) {
                assertStatus(failure, Status.Code.INVALID_ARGUMENT, "validation_failed");
                assertThat(violatedFields(failure)).as(deadline.toString()).containsExactly(deadline.getKey());
            }
        }

        assertThat(upstream.received()).isEmpty();
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
        // A well-formed one is taken.
        assertThat(grpc.blocking(Map.of("x-user-id", user, "x-envoy-expected-rq-timeout-ms", "20000"))
                .sendMessage(send(id, "hello")).getAssistantMessage().getContent())
                .isEqualTo(FakeLlmServer.defaultBehavior().text());
    }

    // ---- another caller's conversation ----

    @Test
    void anotherUsersOrTenantsConversationIsNotFoundOnEveryCallAndNothingIsStored() throws Exception {
        String tenant = newTenant();
        ChatServiceBlockingStub owner = grpc.blocking(Map.of("x-tenant-id", tenant, "x-user-id", user));
        String id = owner.createConversation(CreateConversationRequest.newBuilder().setTitle("private").build())
                .getId();
        SendMessageResponse turn = owner.sendMessage(send(id, "my secret"));
        String messageId = turn.getUserMessage().getId();
        String intruder = "intruder " + UUID.randomUUID();

        for (ChatServiceBlockingStub stranger : List.of(
                grpc.blocking(Map.of("x-tenant-id", tenant, "x-user-id", newUser())),
                grpc.blocking(Map.of("x-tenant-id", newTenant(), "x-user-id", user)),
                grpc.as(user))) {
            List<StatusRuntimeException> failures = List.of(
                    refusedWith(() -> stranger.getConversation(get(id))),
                    refusedWith(() -> stranger.listMessages(ListMessagesRequest.newBuilder().setConversationId(id)
                            .build())),
                    refusedWith(() -> stranger.getMessage(GetMessageRequest.newBuilder().setConversationId(id)
                            .setMessageId(messageId).build())),
                    refusedWith(() -> stranger.sendMessage(send(id, intruder))),
                    refusedWith(() -> stranger.sendMessageStream(send(id, intruder)).hasNext()),
                    refusedWith(() -> stranger.withInterceptors(io.grpc.stub.MetadataUtils
                            .newAttachHeadersInterceptor(GrpcClient.metadata(Map.of(KEY, newKey()))))
                            .sendMessage(send(id, intruder))),
                    refusedWith(() -> stranger.deleteConversation(DeleteConversationRequest.newBuilder()
                            .setConversationId(id).build())));
            for (StatusRuntimeException failure : failures) {
                ErrorInfo info = assertStatus(failure, Status.Code.NOT_FOUND, "not_found");
                assertThat(info.getMetadataMap()).containsEntry("status", "404");
                assertThat(failure.getStatus().getDescription()).doesNotContain("my secret");
            }
            assertThat(stranger.listConversations(ListConversationsRequest.getDefaultInstance())
                    .getConversationsList()).extracting(Conversation::getId).doesNotContain(id);
        }

        assertThat(upstream.received()).as("only the owner's turn").hasSize(1);
        assertThat(owner.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).build())
                .getMessagesList()).extracting(m -> m.getContent())
                .containsExactly("my secret", FakeLlmServer.defaultBehavior().text());
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        assertThat(Sql.text("select count(*) from messages where content = '" + intruder + "'")).isEqualTo("0");
        as(tenant, user).get("/api/v1/conversations/{id}", id).then().statusCode(200);
    }

    // ---- one turn at a time ----

    @Test
    void aSecondTurnWhileAReplyStreamsIsAbortedConversationBusyWithRetryInfoAndIsNotStored() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("first", " reply").gateAfter(1, gate));
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        String key = newKey();
        GrpcClient.Recorder<SendMessageStreamResponse> first = new GrpcClient.Recorder<>();
        try {
            grpc.async(Map.of("x-user-id", user)).sendMessageStream(send(id, "one"), first);
            assertThat(first.next().hasMessageCreated()).isTrue();
            assertThat(first.next().getMessageDelta().getContent()).isEqualTo("first");

            ChatServiceBlockingStub withKey = grpc.blocking(Map.of("x-user-id", user, KEY, key));
            List<StatusRuntimeException> busy = List.of(
                    refusedWith(() -> grpc.as(user).sendMessage(send(id, "two"))),
                    refusedWith(() -> grpc.as(user).sendMessageStream(send(id, "three")).hasNext()),
                    refusedWith(() -> withKey.sendMessage(send(id, "four"))));
            Response rest = as(user).contentType(ContentType.JSON).body(Map.of("content", "five"))
                    .post("/api/v1/conversations/{id}/messages", id);
            assertThat(rest.statusCode()).isEqualTo(409);
            Duration restRetryAfter = Duration.ofSeconds(Long.parseLong(rest.header("Retry-After")));
            for (StatusRuntimeException failure : busy) {
                assertStatus(failure, Status.Code.ABORTED, "conversation_busy");
                assertThat(retryDelay(failure)).as("RetryInfo as REST's Retry-After").contains(restRetryAfter);
            }
            assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'"))
                    .isEqualTo("1");
        } finally {
            gate.complete(null);
        }
        List<SendMessageStreamResponse> events = first.completed();
        assertThat(events.get(events.size() - 1).hasMessageCompleted()).isTrue();

        // The busy refusal was not recorded under its key: the same request now runs.
        upstream.behave(FakeLlmServer.defaultBehavior());
        SendMessageResponse retried = grpc.blocking(Map.of("x-user-id", user, KEY, key))
                .sendMessage(send(id, "four"));
        assertThat(retried.getUserMessage().getContent()).isEqualTo("four");
        assertThat(grpc.as(user).listMessages(ListMessagesRequest.newBuilder().setConversationId(id).build())
                .getMessagesList()).extracting(m -> m.getContent())
                .containsExactly("one", "first reply", "four", FakeLlmServer.defaultBehavior().text());
    }

    // ---- idempotency ----

    @Test
    void createConversationRetriedWithTheSameKeyAnswersTheSameConversationAndCreatesOne() throws Exception {
        ChatServiceBlockingStub stub = grpc.blocking(Map.of("x-user-id", user, KEY, newKey()));
        CreateConversationRequest request = CreateConversationRequest.newBuilder().setTitle("Trip planning")
                .setMetadata(struct("client", "grpc")).build();

        Conversation first = stub.createConversation(request);
        Conversation replay = stub.createConversation(request);

        assertThat(replay).isEqualTo(first);
        assertThat(first.getTitle()).isEqualTo("Trip planning");
        assertThat(Sql.text("select count(*) from conversations where user_id = '" + user + "'")).isEqualTo("1");
    }

    @Test
    void sendMessageRetriedWithTheSameKeyAnswersTheSameTurnAndCallsTheLlmOnce() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        ChatServiceBlockingStub stub = grpc.blocking(Map.of("x-user-id", user, KEY, newKey()));
        String content = "once only " + UUID.randomUUID();

        SendMessageResponse first = stub.sendMessage(send(id, content));
        SendMessageResponse replay = stub.sendMessage(send(id, content));

        assertThat(replay).isEqualTo(first);
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
    }

    @Test
    void theSameKeyForAnotherRequestOrAnotherRpcIsFailedPreconditionAndRunsNothing() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        String other = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        String content = "the first use " + UUID.randomUUID();
        ChatServiceBlockingStub stub = grpc.blocking(Map.of("x-user-id", user, KEY, newKey()));
        stub.sendMessage(send(id, content));

        List<StatusRuntimeException> reused = List.of(
                refusedWith(() -> stub.sendMessage(send(id, "another message"))),
                refusedWith(() -> stub.sendMessage(send(other, content))),
                refusedWith(() -> stub.sendMessage(send(id, content).toBuilder().setMetadata(struct("a", "b"))
                        .build())),
                refusedWith(() -> stub.sendMessageStream(send(id, content)).hasNext()),
                refusedWith(() -> stub.createConversation(CreateConversationRequest.getDefaultInstance())));
        for (StatusRuntimeException failure : reused) {
            assertStatus(failure, Status.Code.FAILED_PRECONDITION, "idempotency_key_reused");
            assertThat(detail(failure, com.google.rpc.ErrorInfo.class).orElseThrow().getMetadataMap())
                    .containsEntry("status", "422");
        }

        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        assertThat(upstreamCallsWith("another message")).isZero();
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + other + "'")).isEqualTo("0");
        assertThat(Sql.text("select count(*) from conversations where user_id = '" + user + "'")).isEqualTo("2");
    }

    @Test
    void aKeyUsedOverRestIsRefusedOverGrpcAndTheOtherWayRoundAsTheAnswerFormatDiffers() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        String restKey = newKey();
        String content = "rest first " + UUID.randomUUID();
        as(user).header("Idempotency-Key", restKey).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);

        StatusRuntimeException fromGrpc = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY, restKey))
                .sendMessage(send(id, content)));

        assertStatus(fromGrpc, Status.Code.FAILED_PRECONDITION, "idempotency_key_reused");
        String grpcKey = newKey();
        String second = "grpc first " + UUID.randomUUID();
        grpc.blocking(Map.of("x-user-id", user, KEY, grpcKey)).sendMessage(send(id, second));
        as(user).header("Idempotency-Key", grpcKey).contentType(ContentType.JSON).body(Map.of("content", second))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(422)
                .body("code", org.hamcrest.Matchers.equalTo("idempotency_key_reused"));
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        assertThat(upstreamCallsWith(second)).isEqualTo(1);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("4");
    }

    @Test
    void aStreamedTurnRetriedAfterItsEndReplaysTheSameMessagesWithoutCallingTheLlm() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        ChatServiceBlockingStub stub = grpc.blocking(Map.of("x-user-id", user, KEY, newKey()));
        String content = "stream it " + UUID.randomUUID();

        List<SendMessageStreamResponse> first = drain(stub.sendMessageStream(send(id, content)));
        List<SendMessageStreamResponse> replay = drain(stub.sendMessageStream(send(id, content)));

        assertThat(first).hasSizeGreaterThan(2);
        assertThat(first.get(0).hasMessageCreated()).isTrue();
        assertThat(first.get(first.size() - 1).hasMessageCompleted()).isTrue();
        assertThat(first).extracting(SendMessageStreamResponse::getSequence)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, first.size()).boxed().toList());
        assertThat(replay).isEqualTo(first);
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("2");
        // The same key for the unary RPC is another request.
        assertStatus(refusedWith(() -> stub.sendMessage(send(id, content))), Status.Code.FAILED_PRECONDITION,
                "idempotency_key_reused");
    }

    @Test
    void aRetryWhileTheFirstRunsIsAbortedRequestInProgressWithRetryInfo() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("slow", " reply").gateAfter(1, gate));
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        Map<String, String> metadata = Map.of("x-user-id", user, KEY, newKey());
        String content = "wait for it " + UUID.randomUUID();
        GrpcClient.Recorder<SendMessageStreamResponse> first = new GrpcClient.Recorder<>();
        try {
            grpc.async(metadata).sendMessageStream(send(id, content), first);
            assertThat(first.next().hasMessageCreated()).isTrue();

            StatusRuntimeException retry = refusedWith(() -> grpc.blocking(metadata)
                    .sendMessageStream(send(id, content)).hasNext());

            assertStatus(retry, Status.Code.ABORTED, "request_in_progress");
            assertThat(retryDelay(retry)).contains(Duration.ofSeconds(2));
        } finally {
            gate.complete(null);
        }
        List<SendMessageStreamResponse> events = first.completed();
        assertThat(drain(grpc.blocking(metadata).sendMessageStream(send(id, content)))).isEqualTo(events);
        assertThat(upstreamCallsWith(content)).isEqualTo(1);
    }

    @Test
    void aMalformedOrRepeatedKeyIsInvalidArgumentAndRunsNothing() throws Exception {
        String id = grpc.as(user).createConversation(CreateConversationRequest.getDefaultInstance()).getId();
        Metadata twice = GrpcClient.metadata(Map.of("x-user-id", user, KEY, newKey()));
        twice.put(Metadata.Key.of(KEY, Metadata.ASCII_STRING_MARSHALLER), newKey());

        List<StatusRuntimeException> failures = List.of(
                refusedWith(() -> grpc.as(user).withInterceptors(io.grpc.stub.MetadataUtils
                        .newAttachHeadersInterceptor(twice)).sendMessage(send(id, "hello"))),
                refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY, "k".repeat(256)))
                        .sendMessage(send(id, "hello"))),
                refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY, "k".repeat(256)))
                        .createConversation(CreateConversationRequest.getDefaultInstance())));
        for (StatusRuntimeException failure : failures) {
            assertStatus(failure, Status.Code.INVALID_ARGUMENT, "validation_failed");
            // The field is named as REST's header, not as the (lower-case) metadata entry.
            assertThat(violatedFields(failure)).containsExactly("Idempotency-Key");
        }
        assertThat(upstream.received()).isEmpty();
        assertThat(Sql.text("select count(*) from conversations where user_id = '" + user + "'")).isEqualTo("1");
        assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'")).isEqualTo("0");
    }

    @Test
    void aRecordedRefusalIsReplayedAsTheSameStatusWithTheCorrelationIdOfTheCallThatRan() throws Exception {
        String missing = UUID.randomUUID().toString();
        String key = newKey();

        StatusRuntimeException first = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY, key,
                "x-request-id", "first-call-" + key)).sendMessage(send(missing, "hello")));
        StatusRuntimeException replay = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY, key,
                "x-request-id", "the-retry-" + key)).sendMessage(send(missing, "hello")));
        StatusRuntimeException streamFirst = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY,
                key + "-s")).sendMessageStream(send(missing, "hello")).hasNext());
        StatusRuntimeException streamReplay = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, KEY,
                key + "-s")).sendMessageStream(send(missing, "hello")).hasNext());

        ErrorInfo info = assertStatus(first, Status.Code.NOT_FOUND, "not_found");
        assertThat(info.getMetadataMap()).containsEntry("correlation_id", "first-call-" + key);
        assertStatus(replay, Status.Code.NOT_FOUND, "not_found");
        assertThat(GrpcClient.details(replay)).isEqualTo(GrpcClient.details(first));
        assertStatus(streamFirst, Status.Code.NOT_FOUND, "not_found");
        assertThat(GrpcClient.details(streamReplay)).isEqualTo(GrpcClient.details(streamFirst));
        assertThat(Sql.text("select count(*) from idempotency_keys where user_id = '" + user + "'"))
                .as("both refusals were recorded").isEqualTo("2");
    }

    // ---- correlation ----

    @Test
    void aFailureCarriesTheCallersRequestIdOrANewOneForEachCallAndTheResponseEchoesIt() {
        String requestId = "grpc-" + UUID.randomUUID();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        AtomicReference<Metadata> anonymousHeaders = new AtomicReference<>();
        AtomicReference<Metadata> anonymousTrailers = new AtomicReference<>();

        StatusRuntimeException named = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, "x-request-id",
                requestId), headers, trailers).getConversation(get(UUID.randomUUID().toString())));
        StatusRuntimeException correlated = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user,
                "x-correlation-id", requestId + "-c")).getConversation(get(UUID.randomUUID().toString())));
        StatusRuntimeException anonymous = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user),
                anonymousHeaders, anonymousTrailers).getConversation(get(UUID.randomUUID().toString())));
        StatusRuntimeException anotherAnonymous = refusedWith(() -> grpc.as(user)
                .getConversation(get(UUID.randomUUID().toString())));
        StatusRuntimeException insane = refusedWith(() -> grpc.blocking(Map.of("x-user-id", user, "x-request-id",
                "not sane!")).getConversation(get(UUID.randomUUID().toString())));

        assertThat(correlationId(named)).isEqualTo(requestId);
        assertThat(correlationId(correlated)).isEqualTo(requestId + "-c");
        assertThat(correlationId(anonymous)).isNotBlank().isNotEqualTo(correlationId(anotherAnonymous))
                .isNotEqualTo(requestId);
        assertThat(correlationId(insane)).isNotEqualTo("not sane!").isNotBlank();
        assertThat(echoed(headers, trailers)).as("x-request-id of the response").isEqualTo(requestId);
        assertThat(echoed(anonymousHeaders, anonymousTrailers)).as("the id the service made, in the response")
                .isEqualTo(correlationId(anonymous));
    }

    /** The x-request-id a call's response carried, in its headers or (a trailers-only answer) its trailers. */
    private static String echoed(AtomicReference<Metadata> headers, AtomicReference<Metadata> trailers) {
        Metadata.Key<String> name = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
        Metadata first = headers.get() != null && headers.get().containsKey(name) ? headers.get() : trailers.get();
        return first == null ? null : first.get(name);
    }

    // ---- helpers ----

    /** A bad input, as a gRPC request and as the REST request that sends the same. */
    private record Case(String what, SendMessageRequest request, List<String> fields, Supplier<Response> rest) {
    }

    /** A bad new conversation, as a gRPC request and as the REST body that sends the same. */
    private record NewCase(String what, CreateConversationRequest request, String field, Map<String, Object> rest) {
    }

    private static void assertSameViolationsAsRest(StatusRuntimeException failure, Response rest, String what) {
        JsonPath problem = rest.then().statusCode(400).extract().jsonPath();
        assertThat(problem.getString("code")).isEqualTo("validation_failed");
        BadRequest badRequest = detail(failure, BadRequest.class).orElseThrow();
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .as(what + ": fields as REST's").isEqualTo(problem.getList("errors.field"));
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getDescription)
                .as(what + ": messages as REST's").isEqualTo(problem.getList("errors.message"));
        assertThat(failure.getStatus().getDescription()).isEqualTo(problem.getString("detail"));
    }

    private static StatusRuntimeException refusedWith(Runnable call) {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(failure).as("the call fails with a status").isNotNull();
        return failure;
    }

    private static String description(StatusRuntimeException failure) {
        return detail(failure, BadRequest.class).orElseThrow().getFieldViolations(0).getDescription();
    }

    private static String correlationId(StatusRuntimeException failure) {
        return detail(failure, ErrorInfo.class).orElseThrow().getMetadataOrThrow("correlation_id");
    }

    private static <T> List<T> drain(Iterator<T> stream) {
        List<T> all = new ArrayList<>();
        stream.forEachRemaining(all::add);
        return all;
    }

    private static SendMessageRequest send(String conversationId, String content) {
        return SendMessageRequest.newBuilder().setConversationId(conversationId).setContent(content).build();
    }

    private static GetConversationRequest get(String id) {
        return GetConversationRequest.newBuilder().setConversationId(id).build();
    }

    private static Struct struct(String key, String value) {
        return Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build();
    }

    private static String newKey() {
        return "key-" + UUID.randomUUID();
    }

    private long upstreamCallsWith(String content) {
        return upstream.received().stream().filter(r -> {
            var messages = r.body().getJsonArray("messages");
            return content.equals(messages.getJsonObject(messages.size() - 1).getString("content"));
        }).count();
    }
}
