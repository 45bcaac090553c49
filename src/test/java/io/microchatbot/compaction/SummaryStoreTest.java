package io.microchatbot.compaction;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.microchatbot.Clock;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.event.Outbox;
import io.microchatbot.testing.Api;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The summary's conditional store against the real PostgreSQL: one summary per range however many replicas write
 * it, never a narrower one after a wider one, never while a turn holds the conversation, always after every message,
 * with its event; and the read of what the next summary covers.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class SummaryStoreTest {

    @Inject
    SummaryStatements statements;

    @Inject
    Outbox outbox;

    @Test
    void aSummaryIsStoredOnceAfterEveryMessageAndNeverNarrowerNorWhileATurnHoldsTheConversation() throws Exception {
        String user = newUser();
        UUID id = UUID.fromString(conversation(user));
        Api.turn(user, id.toString(), "first");
        Api.turn(user, id.toString(), "second");
        List<Message> newestFirst = statements.toSummarise(need(id, user, Instant.now(), null), 10)
                .await().indefinitely();
        assertThat(newestFirst).extracting(m -> m.content).containsExactly(newestFirst.get(0).content,
                "second", newestFirst.get(2).content, "first");

        Message wide = summary(id, user, newestFirst.get(1), newestFirst.get(3));
        assertThat(statements.store(wide, outbox.messageCreatedEntry(wide)).await().indefinitely()).isEqualTo(5);
        assertThat(wide.createdAt).isAfter(newestFirst.get(0).createdAt);
        assertThat(Sql.text("SELECT envelope->'data'->'summary'->>'messageCount' FROM outbox_events"
                + " WHERE conversation_id = '" + id + "' AND envelope->'data'->>'kind' = 'summary'")).isEqualTo("3");

        // Another replica's summary of the same range, and a narrower one, are refused: superseded.
        Message again = summary(id, user, newestFirst.get(1), newestFirst.get(3));
        Message narrower = summary(id, user, newestFirst.get(2), newestFirst.get(3));
        assertThat(statements.store(again, outbox.messageCreatedEntry(again)).await().indefinitely()).isNull();
        assertThat(statements.store(narrower, outbox.messageCreatedEntry(narrower)).await().indefinitely()).isNull();
        assertThat(statements.state(again).await().indefinitely().summarizedUntil())
                .isEqualTo(newestFirst.get(1).createdAt);

        // A wider one waits while a turn holds the conversation, and is stored once it is released.
        Message wider = summary(id, user, newestFirst.get(0), newestFirst.get(3));
        Sql.execute("UPDATE conversations SET turn_lease_until = now() + interval '1 minute' WHERE id = '" + id + "'");
        assertThat(statements.store(wider, outbox.messageCreatedEntry(wider)).await().indefinitely()).isNull();
        assertThat(statements.state(wider).await().indefinitely().held()).isTrue();
        Sql.execute("UPDATE conversations SET turn_lease_until = NULL WHERE id = '" + id + "'");
        // Its time was taken before the first summary's: refused, as a message would be out of order.
        wider.createdAt = wide.createdAt.minusMillis(1);
        wider.updatedAt = wider.createdAt;
        assertThat(statements.store(wider, outbox.messageCreatedEntry(wider)).await().indefinitely()).isNull();
        wider.createdAt = Clock.after(statements.state(wider).await().indefinitely().updatedAt());
        wider.updatedAt = wider.createdAt;
        assertThat(statements.store(wider, outbox.messageCreatedEntry(wider)).await().indefinitely()).isEqualTo(6);

        assertThat(Sql.text("SELECT count(*) FROM messages WHERE conversation_id = '" + id + "'")).isEqualTo("6");
        assertThat(Sql.text("SELECT string_agg(kind, ',' ORDER BY created_at) FROM messages WHERE conversation_id = '"
                + id + "'")).isEqualTo("summary,summary");
        // What a next summary would read: the messages after the newest summary's range, and no summary.
        assertThat(statements.toSummarise(need(id, user, Instant.now(), wide), 10).await().indefinitely())
                .extracting(m -> m.id).containsExactly(newestFirst.get(0).id);

        Sql.execute("DELETE FROM conversations WHERE id = '" + id + "'");
        assertThat(statements.state(wider).await().indefinitely()).isNull();
    }

    private static CompactionNeed need(UUID id, String user, Instant until, Message previous) {
        Message newest = new Message();
        newest.createdAt = until;
        return new CompactionNeed(id, "default", user, newest, previous, 100);
    }

    private static Message summary(UUID id, String user, Message newestCovered, Message oldestCovered) {
        Message summary = new Message();
        summary.id = UUID.randomUUID();
        summary.conversationId = id;
        summary.tenantId = "default";
        summary.userId = user;
        summary.messageType = MessageType.system;
        summary.status = MessageStatus.complete;
        summary.kind = Message.SUMMARY;
        summary.content = "A summary";
        summary.metadata = "{}";
        summary.contentTokens = 2;
        summary.coversFromId = oldestCovered.id;
        summary.coversToId = newestCovered.id;
        summary.coversUntil = newestCovered.createdAt;
        summary.coversCount = 3;
        summary.createdAt = Clock.now();
        summary.updatedAt = summary.createdAt;
        return summary;
    }
}
