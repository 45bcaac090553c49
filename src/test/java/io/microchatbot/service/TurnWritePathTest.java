package io.microchatbot.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.event.Outbox;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.ratelimit.TurnSlot;
import io.microchatbot.repository.TurnStatements;
import io.microchatbot.testing.DatabaseProxyResource;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.OnVertxContext;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.core.Vertx;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/**
 * The turn's write path (TurnStatements) where it can fail: a claim raced by another turn or made on a state that
 * moved on, a conversation deleted between the claim and the reply, a reply whose commit fails after the provider
 * call started. Each case checks what is stored, events included, and that nothing is left half-written.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(value = DatabaseProxyResource.class, restrictToAnnotatedClass = true)
class TurnWritePathTest {

    private static final UserInput HELLO = new UserInput("hello", "{}", 1);

    @Inject
    TurnStore turns;

    @Inject
    ChatService chat;

    @Inject
    TurnStatements statements;

    @Inject
    Outbox outbox;

    @Inject
    Vertx vertx;

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void restore() {
        DatabaseProxyResource.restore();
        upstream.reset();
    }

    @Test
    void concurrentTurnsOnOneConversationClaimItExactlyOnce() throws Exception {
        String user = newUser();
        UUID id = UUID.fromString(conversation(user));
        Caller caller = new Caller("default", user);

        List<CompletableFuture<TurnStart>> starts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            starts.add(OnVertxContext.start(vertx.getDelegate(), turns.begin(caller, id, HELLO)));
        }
        List<TurnStart> begun = new ArrayList<>();
        List<ErrorCode> refused = new ArrayList<>();
        for (CompletableFuture<TurnStart> start : starts) {
            try {
                begun.add(start.get(20, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                refused.add(((ApiException) e.getCause()).code());
            }
        }

        assertThat(begun).hasSize(1);
        assertThat(refused).hasSize(7).containsOnly(ErrorCode.conversation_busy);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("1");
        assertThat(events(id)).isEqualTo("chatbot.message-created");
        assertThat(Sql.text("select message_count from conversations where id = '" + id + "'")).isEqualTo("1");

        OnVertxContext.await(vertx.getDelegate(), turns.finish(begun.get(0), completed()));
        assertThat(events(id)).isEqualTo("chatbot.message-created,chatbot.reply-completed");
        assertThat(Sql.text("select message_count || ' ' || (turn_lease_until is null) from conversations where id = '"
                + id + "'")).isEqualTo("2 true");
    }

    @Test
    void claimsRacingOnTheSameReadTakeTheConversationOnce() throws Exception {
        String user = newUser();
        UUID id = UUID.fromString(conversation(user));
        Caller caller = new Caller("default", user);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        // All of them read count 0 and no lease, then claim at once: the statement, not a read, decides.
        List<CompletableFuture<Long>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Message message = userMessage(caller, id, now);
            claims.add(OnVertxContext.start(vertx.getDelegate(), statements.claim(message, 0, now.plusSeconds(60),
                    now, outbox.messageCreatedEntry(message))));
        }
        List<Long> taken = new ArrayList<>();
        for (CompletableFuture<Long> claim : claims) {
            Long count = claim.get(20, TimeUnit.SECONDS);
            if (count != null) {
                taken.add(count);
            }
        }

        assertThat(taken).containsExactly(1L);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("1");
        assertThat(events(id)).isEqualTo("chatbot.message-created");
    }

    @Test
    void aClaimOnAStateThatMovedOnOrIsBusyTakesNothingAndStoresNothing() throws Exception {
        String user = newUser();
        UUID id = UUID.fromString(conversation(user));
        Caller caller = new Caller("default", user);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        // Read at count 0, a message landed since (count 1): the prompt would miss it.
        Sql.execute("update conversations set message_count = 1 where id = '" + id + "'");
        assertThat(claim(caller, id, 0, now)).isNull();
        // Busy: another turn's lease runs.
        Sql.execute("update conversations set turn_lease_until = now() + interval '1 minute' where id = '" + id + "'");
        assertThat(claim(caller, id, 1, now)).isNull();
        // Someone else's conversation.
        assertThat(claim(new Caller("default", newUser()), id, 1, now)).isNull();

        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
        assertThat(events(id)).isNull();

        // The lease expired: the same claim now takes it.
        Sql.execute("update conversations set turn_lease_until = now() - interval '1 second' where id = '" + id + "'");
        assertThat(claim(caller, id, 1, now)).isEqualTo(2L);
        assertThat(events(id)).isEqualTo("chatbot.message-created");
    }

    @Test
    void aConversationDeletedBetweenTheTwoStatementsMakesTheTurnA404AndLeavesNoReplyOrEvent() throws Exception {
        String user = newUser();
        UUID id = UUID.fromString(conversation(user));
        TurnStart start = OnVertxContext.await(vertx.getDelegate(), turns.begin(new Caller("default", user), id, HELLO));

        as(user).delete("/api/v1/conversations/{id}", id).then().statusCode(204);

        assertThatThrownBy(
                () -> OnVertxContext.await(vertx.getDelegate(), chat.store(start, TurnSlot.NONE, completed(), "json")))
                .cause()
                .isInstanceOf(ApiException.class)
                .extracting(failure -> ((ApiException) failure).code())
                .isEqualTo(ErrorCode.not_found);
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id + "'")).isEqualTo("0");
        assertThat(events(id)).isEqualTo("chatbot.message-created,chatbot.conversation-deleted");
    }

    @Test
    void aReplyWhoseCommitFailsAfterTheProviderCallStartedEndsTheStreamWithAnErrorAndKeepsTheUserMessage()
            throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("partial", " reply").gateAfter(1, gate));
        String user = newUser();
        String id = conversation(user);

        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, null,
                "{\"content\":\"hello\",\"stream\":true}")) {
            assertThat(sse.next().name()).isEqualTo("message.created");
            assertThat(sse.next().name()).isEqualTo("message.delta");
            DatabaseProxyResource.cut();
            gate.complete(null);
            List<SseClient.Event> rest = sse.rest();
            assertThat(rest).extracting(SseClient.Event::name).last().isEqualTo("error");
            assertThat(rest.get(rest.size() - 1).json().getString("code")).isEqualTo("database_unavailable");
        } finally {
            gate.complete(null);
        }
        DatabaseProxyResource.restore();

        as(user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(200)
                .body("total_count", is(1))
                .body("messages[0].content", equalTo("hello"));
        assertThat(events(UUID.fromString(id))).isEqualTo("chatbot.message-created");
    }

    private Long claim(Caller caller, UUID id, long expectedCount, Instant now) throws Exception {
        Message user = userMessage(caller, id, now);
        return OnVertxContext.await(vertx.getDelegate(), statements.claim(user, expectedCount,
                now.plusSeconds(60), now, outbox.messageCreatedEntry(user)));
    }

    private static Message userMessage(Caller caller, UUID id, Instant now) {
        Message user = new Message();
        user.id = UUID.randomUUID();
        user.conversationId = id;
        user.tenantId = caller.tenantId();
        user.userId = caller.userId();
        user.messageType = MessageType.user;
        user.status = MessageStatus.complete;
        user.content = "hello";
        user.metadata = "{}";
        user.contentTokens = 1;
        user.createdAt = now;
        user.updatedAt = now;
        return user;
    }

    private static ReplyOutcome completed() {
        return new ReplyOutcome(MessageStatus.complete, "hi", "m", "p", "stop", null, 1, 1L, null, null);
    }

    /** The conversation's outbox events after its creation, in publishing order, comma-separated; null if none. */
    private static String events(UUID id) throws Exception {
        return Sql.text("select string_agg(event_type, ',' order by id) from outbox_events where conversation_id = '"
                + id + "' and event_type <> 'chatbot.conversation-created'");
    }
}
