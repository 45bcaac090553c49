package io.microchatbot.service;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.OnVertxContext;
import io.microchatbot.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static io.microchatbot.testing.Api.turn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The turn recovery job against the real database. A turn interrupted after its user message was stored is made
 * with SQL, as a pod dying at that moment would leave it: the user message counted, the lease still set.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class TurnRecoveryTest {

    private static final String EXPIRED = "clock_timestamp() - interval '1 minute'";
    private static final String RUNNING = "clock_timestamp() + interval '10 minutes'";

    @Inject
    InterruptedTurns turns;

    @Inject
    TurnRecoveryJob job;

    @Inject
    Vertx vertx;

    @Test
    void interruptedTurnGetsAFailedReplyAfterItsUserMessageAndTheConversationTakesTheNextTurn() throws Exception {
        String user = newUser();
        String id = conversation(user);
        turn(user, id, "first");
        interruptTurn(id, "lost in the crash", EXPIRED);

        assertThat(onContext(turns.settleExpired())).isGreaterThanOrEqualTo(1);

        JsonPath page = messages(user, id);
        assertThat(page.getInt("total_count")).isEqualTo(4);
        assertThat(page.getList("messages.message_type")).containsExactly("user", "assistant", "user", "assistant");
        assertThat(page.getString("messages[2].content")).isEqualTo("lost in the crash");
        assertThat(page.getString("messages[3].content")).isEmpty();
        assertThat(page.getString("messages[3].metadata.status")).isEqualTo("failed");
        assertThat(page.getString("messages[3].metadata.error.code")).isEqualTo("turn_interrupted");
        assertThat(page.getString("messages[3].metadata.error.detail")).isNotBlank();
        assertThat(Sql.text("select status from messages where id = '" + page.getString("messages[3].id") + "'"))
                .isEqualTo("failed");
        assertThat(Sql.text("select count(*) from messages m1 join messages m2 on m1.conversation_id = m2.conversation_id"
                + " where m1.id = '" + page.getString("messages[2].id") + "' and m2.id = '"
                + page.getString("messages[3].id") + "' and m2.created_at > m1.created_at")).isEqualTo("1");
        assertThat(Sql.text("select turn_lease_until from conversations where id = '" + id + "'")).isNull();

        turn(user, id, "again");
        assertThat(messages(user, id).getInt("total_count")).isEqualTo(6);
    }

    @Test
    void turnWhoseLeaseHasNotExpiredIsUntouched() throws Exception {
        String user = newUser();
        String id = conversation(user);
        interruptTurn(id, "still being answered", RUNNING);
        String before = snapshot(id);

        onContext(turns.settleExpired());

        assertThat(snapshot(id)).isEqualTo(before);
        assertThat(messages(user, id).getList("messages.message_type")).containsExactly("user");
        as(user).contentType(ContentType.JSON).body("{\"content\":\"next\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(409);
    }

    @Test
    void conversationWhoseLastTurnIsCompleteIsUntouchedEvenWithAnExpiredLease() throws Exception {
        String user = newUser();
        String id = conversation(user);
        turn(user, id, "answered");
        Sql.update("update conversations set turn_lease_until = " + EXPIRED + " where id = '" + id + "'");
        String before = snapshot(id);

        onContext(turns.settleExpired());

        assertThat(snapshot(id)).isEqualTo(before);
        assertThat(messages(user, id).getInt("total_count")).isEqualTo(2);
    }

    @Test
    void runningTheJobTwiceStoresOneReply() throws Exception {
        String user = newUser();
        String id = conversation(user);
        interruptTurn(id, "first message, never answered", EXPIRED);

        onContext(job.run());
        String afterFirst = snapshot(id);
        onContext(job.run());

        assertThat(snapshot(id)).isEqualTo(afterFirst);
        JsonPath page = messages(user, id);
        assertThat(page.getList("messages.message_type")).containsExactly("user", "assistant");
        assertThat(page.getInt("total_count")).isEqualTo(2);
    }

    @Test
    void replicasRunningTheJobAtOnceStoreOneReply() throws Exception {
        String user = newUser();
        List<String> ids = List.of(conversation(user), conversation(user), conversation(user));
        for (String id : ids) {
            interruptTurn(id, "interrupted", EXPIRED);
        }

        CompletableFuture<Integer> first = start(turns.settleExpired());
        CompletableFuture<Integer> second = start(turns.settleExpired());
        CompletableFuture<Integer> third = start(turns.settleExpired());
        CompletableFuture.allOf(first, second, third).get(20, TimeUnit.SECONDS);

        for (String id : ids) {
            assertThat(messages(user, id).getList("messages.message_type")).containsExactly("user", "assistant");
            assertThat(Sql.text("select message_count from conversations where id = '" + id + "'")).isEqualTo("2");
        }
    }

    /** What a pod dying right after the first transaction of a turn leaves behind. */
    private static void interruptTurn(String conversationId, String content, String leaseUntil) throws Exception {
        Sql.update("insert into messages (id, conversation_id, tenant_id, user_id, message_type, status, content,"
                + " metadata, content_tokens, created_at, updated_at)"
                + " select gen_random_uuid(), id, tenant_id, user_id, 'user', 'complete', '" + content + "', '{}', 3,"
                + " clock_timestamp(), clock_timestamp() from conversations where id = '" + conversationId + "'",
                "update conversations set message_count = message_count + 1, updated_at = clock_timestamp(),"
                        + " turn_lease_until = " + leaseUntil + " where id = '" + conversationId + "'");
    }

    /** Everything the job could change about a conversation, as one string. */
    private static String snapshot(String conversationId) throws Exception {
        return Sql.text("select c.message_count || '|' || c.updated_at || '|' || coalesce(c.turn_lease_until::text, '-')"
                + " || '|' || (select count(*) from messages m where m.conversation_id = c.id)"
                + " from conversations c where c.id = '" + conversationId + "'");
    }

    private static JsonPath messages(String user, String conversationId) {
        return as(user).get("/api/v1/conversations/{id}/messages", conversationId)
                .then().statusCode(200).extract().jsonPath();
    }

    private <T> T onContext(Uni<T> work) throws Exception {
        return OnVertxContext.await(vertx, work);
    }

    private <T> CompletableFuture<T> start(Uni<T> work) {
        return OnVertxContext.start(vertx, work);
    }
}
