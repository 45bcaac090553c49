package io.microchatbot.turns;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.PackagedApp;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.vertx.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of the packaged service against the same PostgreSQL and Redis, and a provider that streams slowly:
 * a turn started on one is followed again, and cancelled, from the other; a turn whose replica is killed is
 * followed to the end its recovery writes.
 */
class TwoReplicaTurnsIT {

    private static final FakeLlmServer upstream = new FakeLlmServer();
    private static int upstreamPort;
    private static PackagedApp first;
    private static PackagedApp second;

    @BeforeAll
    static void start() throws Exception {
        upstreamPort = upstream.start();
        first = PackagedApp.start("two-replicas-first", settings("first"), Duration.ofSeconds(60));
        second = PackagedApp.start("two-replicas-second", settings("second"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        for (PackagedApp app : new PackagedApp[] { first, second }) {
            if (app != null) {
                app.close();
            }
        }
        upstream.stop();
    }

    @AfterEach
    void reset() {
        upstream.behave(FakeLlmServer.defaultBehavior()); // not reset(): no breakers of this JVM to close
    }

    @Test
    void aStreamStartedOnOneReplicaIsFollowedFromItsLastEventIdOnTheOther() throws Exception {
        upstream.behave(slowly("one", " two", " three", " four", " five", " six"));
        String user = "user-" + UUID.randomUUID();
        String conversation = second.conversation(user);
        String turn;
        try (SseClient sse = first.stream(user, conversation)) {
            turn = sse.next().json().getString("id");
            assertThat(sse.next().json().getString("content")).isEqualTo("one");
            assertThat(sse.next().id()).isEqualTo("3");
        } // the caller lost its stream after event 3

        List<Event> followed;
        try (SseClient follow = follow(second, user, "/api/v1/conversations/" + conversation
                + "/turns/current/events", "3")) {
            assertThat(follow.status()).isEqualTo(200);
            followed = follow.rest();
        }
        assertThat(followed).extracting(Event::id).containsExactly("4", "5", "6", "7", "8");
        assertThat(followed.subList(0, 4)).extracting(event -> event.json().getString("content"))
                .containsExactly(" three", " four", " five", " six");
        Event completed = followed.get(4);
        assertThat(completed.name()).isEqualTo("message.completed");
        assertThat(completed.json().getJsonObject("message").getString("content"))
                .isEqualTo("one two three four five six");

        // Ended: either replica replays the whole turn by its message id.
        try (SseClient replay = follow(first, user, "/api/v1/conversations/" + conversation + "/turns/" + turn
                + "/events", null)) {
            assertThat(replay.rest()).extracting(Event::id).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        }
    }

    @Test
    void aTurnRunningOnOneReplicaIsCancelledFromTheOther() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.behave(slowly("kept", " so far", " never").gateAfter(2, never));
        String user = "user-" + UUID.randomUUID();
        String conversation = first.conversation(user);
        try (SseClient sse = first.stream(user, conversation);
                SseClient follower = follow(second, user, "/api/v1/conversations/" + conversation
                        + "/turns/current/events", null)) {
            String turn = sse.next().json().getString("id");
            sse.next();
            sse.next();

            HttpResponse<String> cancelled = second.send(second.request("/api/v1/conversations/" + conversation
                    + "/turns/" + turn + "/cancel").header("X-User-ID", user).POST(HttpRequest.BodyPublishers
                            .noBody()));
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            JsonObject reply = new JsonObject(cancelled.body()).getJsonObject("message");
            assertThat(reply.getString("content")).isEqualTo("kept so far");
            assertThat(reply.getJsonObject("metadata").getString("status")).isEqualTo("incomplete");
            assertThat(reply.getJsonObject("metadata").getJsonObject("error").getString("code"))
                    .isEqualTo("cancelled");

            List<Event> own = sse.rest();
            assertThat(own).extracting(Event::name).containsExactly("message.incomplete");
            List<Event> followed = follower.rest();
            assertThat(followed.get(followed.size() - 1).name()).isEqualTo("message.incomplete");
            assertThat(followed).extracting(Event::id).endsWith("4");

            // Released at once: the next turn starts on the other replica.
            upstream.behave(FakeLlmServer.defaultBehavior());
            HttpResponse<String> next = second.send(second.request("/api/v1/conversations/" + conversation
                    + "/messages").header("X-User-ID", user).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"again\"}")));
            assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
        } finally {
            never.complete(null);
        }
    }

    @Test
    void aTurnWhoseReplicaWasKilledIsFollowedToTheEndItsRecoveryWrites() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.behave(slowly("cut", " short").gateAfter(1, never));
        String user = "user-" + UUID.randomUUID();
        PackagedApp doomed = PackagedApp.start("two-replicas-doomed", settings("doomed"), Duration.ofSeconds(60));
        try {
            String conversation = doomed.conversation(user);
            try (SseClient sse = doomed.stream(user, conversation)) {
                sse.next();
                sse.next();
                try (SseClient follow = follow(second, user, "/api/v1/conversations/" + conversation
                        + "/turns/current/events", "2")) {
                    doomed.close(); // kill -9: nothing is stored, the lease runs out
                    List<Event> followed = follow.rest();
                    Event last = followed.get(followed.size() - 1);
                    assertThat(last.name()).isEqualTo("error");
                    assertThat(last.json().getString("code")).isEqualTo("turn_interrupted");
                    assertThat(Long.parseLong(last.id())).isGreaterThan(2);
                }
            }
        } finally {
            never.complete(null);
            doomed.close();
        }
    }

    private static UpstreamBehavior slowly(String... chunks) {
        return UpstreamBehavior.reply(chunks).chunkDelay(Duration.ofMillis(150));
    }

    private static Map<String, String> settings(String name) {
        return Map.ofEntries(
                Map.entry("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + PackagedApp.database()),
                Map.entry("quarkus.datasource.jdbc.url", PackagedApp.jdbcUrl()),
                Map.entry("chatbot.database.create-if-missing", "true"),
                Map.entry("chatbot.llm.base-url", "http://127.0.0.1:" + upstreamPort + "/v1"),
                Map.entry("chatbot.llm.model", FakeLlmServer.MODEL),
                Map.entry("chatbot.cursor.secret", "two-replicas-it"),
                // A killed replica's turn is settled by the others soon after its lease ran out.
                Map.entry("chatbot.turn.lease", "4s"),
                Map.entry("chatbot.turn.recovery-interval", "1s"),
                Map.entry("quarkus.shutdown.delay", "0ms"),
                Map.entry("quarkus.application.name", "two-replicas-" + name),
                // The packaged app runs the prod profile, whose default is JWT; this test calls with X-User-ID.
                Map.entry("chatbot.auth.mode", "none"));
    }

    private static SseClient follow(PackagedApp app, String user, String path, String lastEventId)
            throws Exception {
        return SseClient.get(app.port(), path, user, lastEventId == null ? Map.of()
                : Map.of("Last-Event-ID", lastEventId));
    }
}
