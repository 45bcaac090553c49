package io.microchatbot.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.FieldMask;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.ErrorInfo;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.ChatServiceGrpc;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.DeleteConversationRequest;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.GetMessageRequest;
import io.microchatbot.grpc.v1.ListConversationsRequest;
import io.microchatbot.grpc.v1.ListMessagesRequest;
import io.microchatbot.grpc.v1.ListMessagesResponse;
import io.microchatbot.grpc.v1.MessageType;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.grpc.v1.SortOrder;
import io.microchatbot.grpc.v1.UpdateConversationRequest;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** Every RPC of microchatbot.v1.ChatService with a real gRPC client, checked against what REST reads back. */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class GrpcTurnTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void conversationsAreCreatedReadListedAndDeletedAsOverRest() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            var created = chat.createConversation(CreateConversationRequest.newBuilder()
                    .setTitle("Trip").setSystemPrompt("Be brief")
                    .setMetadata(Struct.newBuilder().putFields("ticket", Value.newBuilder().setNumberValue(42).build()))
                    .build());

            assertThat(created.getId()).hasSize(36);
            assertThat(created.getTitle()).isEqualTo("Trip");
            assertThat(created.getSystemPrompt()).isEqualTo("Be brief");
            assertThat(created.hasModel()).isFalse();
            assertThat(created.getMetadata().getFieldsOrThrow("ticket").getNumberValue()).isEqualTo(42);
            assertThat(created.getMessageCount()).isZero();
            JsonPath rest = as(user).get("/api/v1/conversations/{id}", created.getId()).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(rest.getString("title")).isEqualTo("Trip");
            assertThat(rest.getInt("metadata.ticket")).isEqualTo(42);
            assertThat(created.getCreatedAt().getSeconds()).isPositive();

            assertThat(chat.getConversation(GetConversationRequest.newBuilder().setConversationId(created.getId())
                    .build())).isEqualTo(created);

            var second = chat.createConversation(CreateConversationRequest.getDefaultInstance());
            var firstPage = chat.listConversations(ListConversationsRequest.newBuilder().setLimit(1).build());
            assertThat(firstPage.getConversationsList()).extracting(c -> c.getId()).containsExactly(second.getId());
            assertThat(firstPage.getHasMore()).isTrue();
            var secondPage = chat.listConversations(ListConversationsRequest.newBuilder().setLimit(1)
                    .setCursor(firstPage.getNextCursor()).build());
            assertThat(secondPage.getConversationsList()).extracting(c -> c.getId()).containsExactly(created.getId());
            assertThat(secondPage.getHasMore()).isFalse();
            assertThat(secondPage.getNextCursor()).isEmpty();

            chat.deleteConversation(DeleteConversationRequest.newBuilder().setConversationId(created.getId()).build());
            as(user).get("/api/v1/conversations/{id}", created.getId()).then().statusCode(404);
            var gone = catchThrowableOfType(StatusRuntimeException.class, () -> chat.getConversation(
                    GetConversationRequest.newBuilder().setConversationId(created.getId()).build()));
            assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(reason(gone)).isEqualTo("not_found");
        }
    }

    @Test
    void updateConversationChangesTheMaskedFieldsAsRestsMergePatchDoes() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            var created = chat.createConversation(CreateConversationRequest.newBuilder().setTitle("Old")
                    .setSystemPrompt("Be brief")
                    .setMetadata(Struct.newBuilder()
                            .putFields("keep", Value.newBuilder().setStringValue("k").build())
                            .putFields("drop", Value.newBuilder().setStringValue("d").build()))
                    .build());

            // Without a mask: the fields the request sets; metadata merged, a null member removes a key.
            var renamed = chat.updateConversation(UpdateConversationRequest.newBuilder()
                    .setConversationId(created.getId()).setTitle("New")
                    .setMetadata(Struct.newBuilder()
                            .putFields("drop", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                            .putFields("added", Value.newBuilder().setBoolValue(true).build()))
                    .build());
            assertThat(renamed.getTitle()).isEqualTo("New");
            assertThat(renamed.getSystemPrompt()).isEqualTo("Be brief");
            assertThat(renamed.getMetadata().getFieldsMap()).containsOnlyKeys("keep", "added");

            // A masked field the request leaves unset is cleared.
            var cleared = chat.updateConversation(UpdateConversationRequest.newBuilder()
                    .setConversationId(created.getId())
                    .setUpdateMask(FieldMask.newBuilder().addPaths("system_prompt")).build());
            assertThat(cleared.hasSystemPrompt()).isFalse();
            assertThat(cleared.getTitle()).isEqualTo("New");
            assertThat(as(user).get("/api/v1/conversations/{id}", created.getId()).then().extract().jsonPath()
                    .getString("system_prompt")).isNull();

            var refused = catchThrowableOfType(StatusRuntimeException.class, () -> chat.updateConversation(
                    UpdateConversationRequest.newBuilder().setConversationId(created.getId()).setTitle("x".repeat(300))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("title").addPaths("message_count"))
                            .build()));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(GrpcClient.violatedFields(refused))
                    .containsExactlyInAnyOrder("title", "message_count");
            assertThat(chat.getConversation(GetConversationRequest.newBuilder().setConversationId(created.getId())
                    .build()).getTitle()).as("nothing changed").isEqualTo("New");
        }
    }

    @Test
    void sendMessageStoresBothMessagesAndAnswersThemWithUsage() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            SendMessageResponse turn = chat.sendMessage(SendMessageRequest.newBuilder().setConversationId(id)
                    .setContent("Hello")
                    .setMetadata(Struct.newBuilder().putFields("lang", Value.newBuilder().setStringValue("en").build()))
                    .build());

            assertThat(turn.getUserMessage().getContent()).isEqualTo("Hello");
            assertThat(turn.getUserMessage().getMessageType()).isEqualTo(MessageType.MESSAGE_TYPE_USER);
            assertThat(turn.getUserMessage().getMetadata().getFieldsOrThrow("lang").getStringValue()).isEqualTo("en");
            assertThat(turn.getUserMessage().getUserId()).isEqualTo(user);
            assertThat(turn.getAssistantMessage().getContent()).isEqualTo("Hello from the fake model.");
            assertThat(turn.getAssistantMessage().getMessageType()).isEqualTo(MessageType.MESSAGE_TYPE_ASSISTANT);
            assertThat(turn.getUsage().getPromptTokens()).isEqualTo(11);
            assertThat(turn.getUsage().getCompletionTokens()).isEqualTo(5);
            assertThat(turn.getUsage().getTotalTokens()).isEqualTo(16);
            assertThat(turn.getModel()).isEqualTo(FakeLlmServer.MODEL);

            var message = chat.getMessage(GetMessageRequest.newBuilder().setConversationId(id)
                    .setMessageId(turn.getAssistantMessage().getId()).build());
            assertThat(message).isEqualTo(turn.getAssistantMessage());
            assertThat(as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                    .getString("messages[1].metadata.status")).isEqualTo("complete");
        }
    }

    @Test
    void messagesArePagedByTheSameKeysetCursorsWithTotalCountInBothOrders() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);
            for (int i = 0; i < 3; i++) {
                chat.sendMessage(SendMessageRequest.newBuilder().setConversationId(id).setContent("m" + i).build());
            }

            List<String> contents = new ArrayList<>();
            String cursor = "";
            ListMessagesResponse page;
            do {
                page = chat.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).setLimit(4)
                        .setCursor(cursor).build());
                assertThat(page.getTotalCount()).isEqualTo(6);
                page.getMessagesList().forEach(m -> contents.add(m.getContent()));
                cursor = page.getNextCursor();
            } while (page.getHasMore());
            assertThat(contents).hasSize(6).startsWith("m0").contains("m1", "m2");
            assertThat(cursor).isEmpty();

            var newest = chat.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).setLimit(1)
                    .setOrder(SortOrder.SORT_ORDER_DESCENDING).build());
            assertThat(newest.getMessages(0).getMessageType()).isEqualTo(MessageType.MESSAGE_TYPE_ASSISTANT);
            assertThat(newest.getHasMore()).isTrue();

            // A cursor of REST's listing is the same cursor.
            String restCursor = as(user).queryParam("limit", 4).get("/api/v1/conversations/{id}/messages", id)
                    .then().extract().path("next_cursor");
            var rest = chat.listMessages(ListMessagesRequest.newBuilder().setConversationId(id).setLimit(4)
                    .setCursor(restCursor).build());
            assertThat(rest.getMessagesCount()).isEqualTo(2);

            var invalid = catchThrowableOfType(StatusRuntimeException.class, () -> chat.listMessages(
                    ListMessagesRequest.newBuilder().setConversationId(id).setCursor("not-a-cursor").build()));
            assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(reason(invalid)).isEqualTo("invalid_cursor");
        }
    }

    @Test
    void streamSendsTheStoredUserMessageDeltasAndOneCompletedEventNumberedFromOne() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            List<SendMessageStreamResponse> events = streamed(chat, id, "Tell me");

            assertThat(events).extracting(SendMessageStreamResponse::getEventCase).containsExactly(
                    SendMessageStreamResponse.EventCase.MESSAGE_CREATED,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_COMPLETED);
            assertThat(events).extracting(SendMessageStreamResponse::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L,
                    6L, 7L);
            assertThat(events.get(0).getMessageCreated().getMessage().getContent()).isEqualTo("Tell me");
            assertThat(events.subList(1, 6)).extracting(e -> e.getMessageDelta().getContent())
                    .containsExactly("Hello", " from", " the", " fake", " model.");
            var completed = events.get(6).getMessageCompleted();
            assertThat(completed.getMessage().getContent()).isEqualTo("Hello from the fake model.");
            assertThat(completed.getUsage().getTotalTokens()).isEqualTo(16);
            assertThat(upstream.lastRequest().body().getBoolean("stream")).isTrue();
            assertThat(as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                    .getString("messages[1].id")).isEqualTo(completed.getMessage().getId());
        }
    }

    @Test
    void providerBreakingMidStreamEndsWithOneIncompleteEventAndStoresThePartialReply() throws Exception {
        upstream.behave(UpstreamBehavior.reply("one", " two", " three", " four", " five").breakAfter(3));
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            List<SendMessageStreamResponse> events = streamed(chat, id, "go");

            assertThat(events).extracting(SendMessageStreamResponse::getEventCase).containsExactly(
                    SendMessageStreamResponse.EventCase.MESSAGE_CREATED,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_DELTA,
                    SendMessageStreamResponse.EventCase.MESSAGE_INCOMPLETE);
            var incomplete = events.get(4).getMessageIncomplete();
            assertThat(incomplete.getMessage().getContent()).isEqualTo("one two three");
            assertThat(incomplete.getError().getCode()).isEqualTo("llm_unavailable");
            assertThat(incomplete.getError().getStatus()).isEqualTo(503);
            assertThat(incomplete.getError().getCorrelationId()).isNotEmpty();
            JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath();
            assertThat(stored.getString("messages[1].content")).isEqualTo("one two three");
            assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("incomplete");
        }
    }

    @Test
    void providerFailingBeforeAnyTokenEndsWithOneFailedEventCarryingTheStoredReply() throws Exception {
        upstream.behave(UpstreamBehavior.status(400));
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            List<SendMessageStreamResponse> events = streamed(chat, id, "go");

            assertThat(events).extracting(SendMessageStreamResponse::getEventCase).containsExactly(
                    SendMessageStreamResponse.EventCase.MESSAGE_CREATED,
                    SendMessageStreamResponse.EventCase.MESSAGE_FAILED);
            var failed = events.get(1).getMessageFailed();
            assertThat(failed.getError().getCode()).isNotEmpty();
            assertThat(failed.getMessage().getId()).isNotEmpty();
            assertThat(as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                    .getString("messages[1].metadata.status")).isEqualTo("failed");
        }
    }

    @Test
    void callerCancellingMidStreamLeavesTheTurnRunningToItsEnd() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("early", " late").gateAfter(1, gate));
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            Context.CancellableContext call = Context.current().withCancellation();
            Iterator<SendMessageStreamResponse> events = call.call(() -> chat.sendMessageStream(
                    SendMessageRequest.newBuilder().setConversationId(id).setContent("go").build()));
            assertThat(events.next().getEventCase()).isEqualTo(SendMessageStreamResponse.EventCase.MESSAGE_CREATED);
            assertThat(events.next().getMessageDelta().getContent()).isEqualTo("early");
            call.cancel(null);

            // The turn runs on (chatbot.turn.when-caller-leaves=continue): busy until its reply is stored.
            StatusRuntimeException busy = catchThrowableOfType(StatusRuntimeException.class,
                    () -> chat.sendMessage(SendMessageRequest.newBuilder().setConversationId(id).setContent("soon")
                            .build()));
            assertThat(busy.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
            gate.complete(null);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath();
                assertThat(stored.getInt("total_count")).isEqualTo(2);
                assertThat(stored.getString("messages[1].content")).isEqualTo("early late");
                assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("complete");
            });
            upstream.reset();
            assertThat(chat.sendMessage(SendMessageRequest.newBuilder().setConversationId(id).setContent("again")
                    .build()).getAssistantMessage().getContent()).isNotEmpty();
        } finally {
            gate.complete(null);
        }
    }

    @Test
    void aDeadlineTooShortToStartIsRefusedByTheServiceBeforeAnythingIsStoredOrPaidFor() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            var refused = catchThrowableOfType(StatusRuntimeException.class, () -> chat
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .sendMessage(SendMessageRequest.newBuilder().setConversationId(id).setContent("hi").build()));

            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            // ErrorInfo comes from the service, not from the client's own timer: the service read the deadline.
            assertThat(reason(refused)).isEqualTo("deadline_exceeded");
            assertThat(as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                    .getInt("total_count")).isZero();
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void providerSlowerThanTheCallDeadlineEndsTheTurnAtTheDeadlineWithTheFailedReplyStored() throws Exception {
        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofSeconds(5)));
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            long started = System.nanoTime();
            var expired = catchThrowableOfType(StatusRuntimeException.class, () -> chat
                    .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                    .sendMessage(SendMessageRequest.newBuilder().setConversationId(id).setContent("hi").build()));
            assertThat(expired.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

            // The service gave up at the caller's deadline too: the failed reply is stored well before the 5 s.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonPath stored = as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath();
                assertThat(stored.getInt("total_count")).isEqualTo(2);
                assertThat(stored.getString("messages[1].metadata.status")).isEqualTo("failed");
                assertThat(stored.getString("messages[1].metadata.error.code")).isEqualTo("deadline_exceeded");
            });
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(4_000);
            assertThat(upstream.received()).hasSize(1);
        }
    }

    @Test
    void aRequestMessageOverTheSizeLimitIsRefusedBeforeItIsReadAndNothingIsStored() throws Exception {
        String user = newUser();
        try (GrpcClient client = new GrpcClient()) {
            var chat = client.as(user);
            String id = conversation(chat);

            var refused = catchThrowableOfType(StatusRuntimeException.class, () -> chat.sendMessage(
                    SendMessageRequest.newBuilder().setConversationId(id).setContent("x".repeat(300_000)).build()));

            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(as(user).get("/api/v1/conversations/{id}/messages", id).then().extract().jsonPath()
                    .getInt("total_count")).isZero();
            assertThat(upstream.received()).isEmpty();
            // The connection is still good for the next call.
            assertThat(chat.getConversation(GetConversationRequest.newBuilder().setConversationId(id).build())
                    .getId()).isEqualTo(id);
        }
    }

    private static String conversation(ChatServiceGrpc.ChatServiceBlockingStub chat) {
        return chat.createConversation(CreateConversationRequest.getDefaultInstance()).getId();
    }

    private static List<SendMessageStreamResponse> streamed(ChatServiceGrpc.ChatServiceBlockingStub chat, String id,
            String content) {
        List<SendMessageStreamResponse> events = new ArrayList<>();
        chat.sendMessageStream(SendMessageRequest.newBuilder().setConversationId(id).setContent(content).build())
                .forEachRemaining(events::add);
        return events;
    }

    private static String reason(StatusRuntimeException failure) {
        return GrpcClient.detail(failure, ErrorInfo.class).map(ErrorInfo::getReason).orElse(null);
    }
}
