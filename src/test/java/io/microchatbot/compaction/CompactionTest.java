package io.microchatbot.compaction;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.Api;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.UpstreamBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History compaction against the real PostgreSQL and Redis, with the summaries written by the fake provider over a
 * socket: off the caller's path, used by later turns instead of what they cover, never deleting anything, waiting
 * for a running turn, and falling back to trimming (counted) when the summary call fails.
 */
@QuarkusTest
@TestProfile(CompactionTest.SmallWindow.class)
@QuarkusTestResource(FakeLlmResource.class)
class CompactionTest {

    static final String SUMMARIZER = "summarizer-model";
    static final String SUMMARY = "The user sent numbered messages about lorem ipsum; the assistant greeted each.";

    /**
     * A 700-token window, 100 of them for the reply: about nine turns of these messages cross the 0.8 threshold, and
     * the newest 0.4 of the budget stay as they are. Calls may take 6 s, so that a slow summary or turn is not cut.
     */
    public static class SmallWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chatbot.llm.context-window", "700", "chatbot.llm.max-tokens", "100",
                    "chatbot.compaction.model", SUMMARIZER, "chatbot.compaction.threshold", "0.8",
                    "chatbot.compaction.keep", "0.4", "chatbot.compaction.max-tokens", "128",
                    "chatbot.compaction.busy-wait", "20s", "chatbot.llm.timeout", "6s");
        }
    }

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @Inject
    MeterRegistry registry;

    /** A summary still being written counts in the next test's figures: each test starts with none. */
    @BeforeEach
    @AfterEach
    void noSummaryInProgress() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> registry.find("chatbot.compactions.in.progress").gauge().value() == 0);
        upstream.reset();
    }

    @Test
    void aLongHistoryIsSummarisedOffTheCallersPathAndLaterTurnsUseTheSummaryInsteadOfWhatItCovers()
            throws Exception {
        upstream.behaveFor(SUMMARIZER, UpstreamBehavior.reply(SUMMARY).latency(Duration.ofSeconds(2)));
        double compacted = count("compacted");
        String user = newUser();
        String id = conversation(user);

        int turns = turnsUntilASummaryIsAskedFor(user, id);

        // The turn that asked for it was answered while the summary was still being written.
        assertThat(upstream.answeringNow()).isEqualTo(1);
        assertThat(summaries(id)).isZero();
        String asked = upstream.receivedFor(SUMMARIZER).get(0).body().getJsonArray("messages").getJsonObject(1)
                .getString("content");
        assertThat(asked).contains("Message number 1:").doesNotContain("Message number " + turns + ":");

        await().atMost(Duration.ofSeconds(15)).until(() -> summaries(id) == 1);
        assertThat(count("compacted")).isEqualTo(compacted + 1);

        // Nothing was deleted: every message is listed, and the summary with them, last, saying what it covers.
        JsonArray page = messages(user, id);
        assertThat(page.size()).isEqualTo(2 * turns + 1);
        JsonObject summary = page.getJsonObject(page.size() - 1);
        assertThat(summary.getString("message_type")).isEqualTo("system");
        assertThat(summary.getString("kind")).isEqualTo("summary");
        assertThat(summary.getString("content")).isEqualTo(SUMMARY);
        assertThat(summary.getJsonObject("metadata").getString("model")).isEqualTo(SUMMARIZER);
        JsonObject range = summary.getJsonObject("summary");
        assertThat(range.getString("from_message_id")).isEqualTo(page.getJsonObject(0).getString("id"));
        int covered = range.getInteger("message_count");
        assertThat(covered).isBetween(2, 2 * turns - 2);
        assertThat(range.getString("to_message_id")).isEqualTo(page.getJsonObject(covered - 1).getString("id"));
        for (int i = 0; i < page.size() - 1; i++) {
            assertThat(page.getJsonObject(i).containsKey("kind")).isFalse();
        }

        Api.turn(user, id, "What did I say first?");

        JsonArray prompt = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(upstream.lastRequest().model()).isNotEqualTo(SUMMARIZER);
        assertThat(prompt.getJsonObject(0).getString("role")).isEqualTo("system");
        assertThat(prompt.getJsonObject(0).getString("content")).endsWith(SUMMARY);
        String rest = prompt.stream().skip(1).map(Object::toString).reduce("", String::concat);
        // What the summary covers is left out, everything after it is in, and no summary was needed again.
        assertThat(rest).doesNotContain("Message number 1:")
                .contains(page.getJsonObject(covered).getString("content").substring(0, 18))
                .contains("Message number " + turns + ":");
        assertThat(prompt.getJsonObject(prompt.size() - 1).getString("content")).isEqualTo("What did I say first?");
        assertThat(upstream.receivedFor(SUMMARIZER)).hasSize(1);

        // The cache was given the summary: the prompt above came from it, or from PostgreSQL, alike; a page agrees.
        assertThat(messages(user, id).size()).isEqualTo(2 * turns + 3);
    }

    @Test
    void aSummaryWrittenWhileATurnRunsIsStoredAfterThatTurnsReply() throws Exception {
        upstream.behaveFor(SUMMARIZER, UpstreamBehavior.reply(SUMMARY).latency(Duration.ofMillis(500)));
        String user = newUser();
        String id = conversation(user);
        int turns = turnsUntilASummaryIsAskedFor(user, id);

        upstream.behave(FakeLlmServer.defaultBehavior().latency(Duration.ofSeconds(3)));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> Api.turn(user, id, "A slow question"));
        // The summary is answered while that turn still holds the conversation, and waits.
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.receivedFor(SUMMARIZER).size() == 1
                && upstream.received().size() > turns + 1 && upstream.answeringNow() == 1);
        Thread.sleep(700);
        assertThat(running).isNotDone();
        assertThat(summaries(id)).isZero();

        running.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> summaries(id) == 1);
        JsonArray page = messages(user, id);
        JsonObject summary = page.getJsonObject(page.size() - 1);
        JsonObject slowReply = page.getJsonObject(page.size() - 2);
        assertThat(summary.getString("kind")).isEqualTo("summary");
        assertThat(slowReply.getString("message_type")).isEqualTo("assistant");
        assertThat(Instant.parse(summary.getString("created_at")))
                .isAfter(Instant.parse(slowReply.getString("created_at")));
        assertThat(page.getJsonObject(page.size() - 3).getString("content")).isEqualTo("A slow question");
    }

    @Test
    void aFailedSummaryIsCountedAndTurnsGoOnTrimmingTheirHistoryUntilOneSucceeds() throws Exception {
        upstream.behaveFor(SUMMARIZER, UpstreamBehavior.status(500));
        double failed = count("failed");
        double trimmed = registry.find("chatbot.context.trimmed").counter().count();
        String user = newUser();
        String id = conversation(user);
        turnsUntilASummaryIsAskedFor(user, id);
        await().atMost(Duration.ofSeconds(15)).until(() -> count("failed") > failed);

        // The turns go on, each asking again, and their prompts leave out the oldest messages once they no longer fit.
        for (int i = 0; i < 6; i++) {
            Api.turn(user, id, "Later message " + i + ": " + "lorem ipsum dolor sit amet ".repeat(6));
        }
        assertThat(registry.find("chatbot.context.trimmed").counter().count()).isGreaterThan(trimmed);
        JsonArray prompt = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(prompt.stream().map(Object::toString).filter(m -> m.contains("Message number 1:"))).isEmpty();
        assertThat(summaries(id)).isZero();

        // Once the summary call works again, the next turn's summary is stored.
        upstream.behaveFor(SUMMARIZER, UpstreamBehavior.reply(SUMMARY));
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Api.turn(user, id, "One more");
            return summaries(id) == 1;
        });
    }

    /**
     * Sends numbered turns until one asks for a summary of this conversation (its messages end with the user's
     * name, so that a summary a previous test left running is not taken for it); returns how many were sent.
     */
    private int turnsUntilASummaryIsAskedFor(String user, String id) {
        for (int i = 1; i <= 20; i++) {
            Api.turn(user, id, "Message number " + i + ": " + "lorem ipsum dolor sit amet ".repeat(6) + user);
            int turn = i;
            try {
                await().atMost(Duration.ofMillis(300)).until(() -> upstream.receivedFor(SUMMARIZER).stream()
                        .anyMatch(asked -> asked.body().encode().contains(user)));
                assertThat(turn).isGreaterThan(4); // short histories are left alone
                return turn;
            } catch (org.awaitility.core.ConditionTimeoutException notYet) {
                // not long enough yet
            }
        }
        throw new AssertionError("20 turns never asked for a summary");
    }

    private double count(String outcome) {
        return registry.find("chatbot.compactions").tag("outcome", outcome).counter().count();
    }

    private static int summaries(String conversationId) throws Exception {
        return Integer.parseInt(Sql.text("SELECT count(*) FROM messages WHERE conversation_id = '" + conversationId
                + "' AND kind = 'summary'"));
    }

    private static JsonArray messages(String user, String id) {
        String body = as(user).queryParam("limit", 100).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200).extract().asString();
        return new JsonObject(body).getJsonArray("messages");
    }
}
