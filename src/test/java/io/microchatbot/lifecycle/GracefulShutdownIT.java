package io.microchatbot.lifecycle;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.GrpcClient;
import io.microchatbot.testing.PackagedApp;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.SseClient.Event;
import io.microchatbot.testing.UpstreamBehavior;
import io.vertx.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the packaged application while it streams replies. Timeline: readiness DOWN at once, requests still
 * served during the delay (2 s here), new requests refused after it, running streams drained (up to 4 s here),
 * unfinished ones cut with their partial reply stored, exit. One stream is let finish during the drain; one never finishes and
 * is cut when the drain times out.
 */
class GracefulShutdownIT {

    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration DRAIN = Duration.ofSeconds(4);
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final FakeLlmServer upstream = new FakeLlmServer();
    private static int upstreamPort;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstreamPort = upstream.start();
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstream.stop();
    }

    @Test
    void sigtermTakesThePodOutOfRotationRefusesNewRequestsAndDrainsRunningStreams() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String stale = staleTurnLeftByACrashedPod(user);
        CompletableFuture<Void> finishes = new CompletableFuture<>();
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.script(UpstreamBehavior.reply("drained", " in time").gateAfter(1, finishes),
                UpstreamBehavior.reply("cut", " by the drain timeout").gateAfter(1, never),
                UpstreamBehavior.reply("grpc", " cut too").gateAfter(1, never));

        try (PackagedApp app = PackagedApp.start("graceful-shutdown-it", settings(), Duration.ofSeconds(60));
                GrpcClient grpc = new GrpcClient(app.port())) {
            try {
                // The recovery job runs once at start: the crashed pod's turn gets its failed reply.
                assertThat(awaitText("select status || ' ' || (metadata->'error'->>'code') from messages where"
                        + " conversation_id = '" + stale + "' and message_type = 'assistant'", Duration.ofSeconds(15)))
                        .isEqualTo("failed turn_interrupted");

                String drained = app.conversation(user);
                String cut = app.conversation(user);
                SseClient drainedStream = app.stream(user, drained);
                assertThat(drainedStream.next().name()).isEqualTo("message.created");
                assertThat(drainedStream.next().json().getString("content")).isEqualTo("drained");
                SseClient cutStream = app.stream(user, cut);
                assertThat(cutStream.next().name()).isEqualTo("message.created");
                assertThat(cutStream.next().json().getString("content")).isEqualTo("cut");
                String grpcCut = app.conversation(user);
                Iterator<SendMessageStreamResponse> grpcStream = grpc.as(user).sendMessageStream(
                        SendMessageRequest.newBuilder().setConversationId(grpcCut).setContent("go").build());
                assertThat(grpcStream.next().hasMessageCreated()).isTrue();
                assertThat(grpcStream.next().getMessageDelta().getContent()).isEqualTo("grpc");
                await().atMost(Duration.ofSeconds(5)).until(() -> grpc.health("") == ServingStatus.SERVING);

                long signalled = System.nanoTime();
                app.terminate();

                awaitStatus(app, "/q/health/ready", 503, Duration.ofSeconds(1));
                assertThat(grpc.health("")).isEqualTo(ServingStatus.NOT_SERVING);
                assertThat(grpc.health("microchatbot.v1.ChatService")).isEqualTo(ServingStatus.NOT_SERVING);
                HttpResponse<String> duringDelay = app.send(app.request("/api/v1/conversations/" + drained)
                        .header("X-User-ID", user).GET());
                long delayElapsed = millisSince(signalled);
                System.out.printf("readiness DOWN and a read served %d ms after SIGTERM%n", delayElapsed);
                if (delayElapsed < DELAY.toMillis()) {
                    assertThat(duringDelay.statusCode()).isEqualTo(200);
                }

                HttpResponse<String> refused = awaitStatus(app, "/api/v1/conversations/" + drained, 503,
                        DELAY.plusSeconds(2), user);
                long refusedAfter = millisSince(signalled);
                System.out.printf("new request refused %d ms after SIGTERM%n", refusedAfter);
                assertThat(refusedAfter).isGreaterThanOrEqualTo(DELAY.toMillis() - 100);
                assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("shutting_down");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                var grpcRefused = catchThrowableOfType(StatusRuntimeException.class, () -> grpc.as(user)
                        .getConversation(GetConversationRequest.newBuilder().setConversationId(drained).build()));
                GrpcClient.assertStatus(grpcRefused, Status.Code.UNAVAILABLE, "shutting_down");
                assertThat(app.isAlive()).isTrue();

                finishes.complete(null);
                List<Event> rest = drainedStream.rest();
                assertThat(rest).extracting(Event::name).containsExactly("message.delta", "message.completed");
                System.out.printf("drained stream completed %d ms after SIGTERM%n", millisSince(signalled));

                Integer exit = app.awaitExit(DELAY.plus(DRAIN).plus(GRACE).plusSeconds(5));
                long exitedAfter = millisSince(signalled);
                System.out.printf("process exited with %s %d ms after SIGTERM%n", exit, exitedAfter);
                assertThat(exit).as("exit status: 128 + SIGTERM, after the shutdown hooks ran").isEqualTo(143);
                assertThat(exitedAfter).isGreaterThanOrEqualTo(DELAY.plus(DRAIN).toMillis() - 100);
                assertThat(app.output()).contains("micro-chatbot-service stopped in");
                assertThat(cutStream.restUntilCut()).extracting(Event::name)
                        .as("the caller of the cut stream sees the connection end, not a terminal event")
                        .doesNotContain("message.completed", "message.incomplete", "error");
                List<SendMessageStreamResponse> grpcRest = new ArrayList<>();
                var grpcEnd = catchThrowableOfType(StatusRuntimeException.class,
                        () -> grpcStream.forEachRemaining(grpcRest::add));
                assertThat(grpcEnd).as("the gRPC stream cut by the drain ends with an error status").isNotNull();
                assertThat(grpcRest).as("and without a terminal message").noneMatch(m -> m.hasMessageCompleted()
                        || m.hasMessageIncomplete() || m.hasMessageFailed());

                assertThat(text("select string_agg(message_type || ':' || status || ':' || content, ' | '"
                        + " order by created_at) from messages where conversation_id = '" + drained + "'"))
                        .isEqualTo("user:complete:go | assistant:complete:drained in time");
                assertThat(text("select string_agg(message_type || ':' || status || ':' || content, ' | '"
                        + " order by created_at) from messages where conversation_id = '" + cut + "'"))
                        .as("the stream cut when the drain timed out keeps its partial reply")
                        .isEqualTo("user:complete:go | assistant:incomplete:cut");
                assertThat(text("select string_agg(message_type || ':' || status || ':' || content, ' | '"
                        + " order by created_at) from messages where conversation_id = '" + grpcCut + "'"))
                        .as("so does the gRPC stream cut alike")
                        .isEqualTo("user:complete:go | assistant:incomplete:grpc");
                assertThat(text("select count(*) from conversations where id in ('" + drained + "', '" + cut + "', '"
                        + grpcCut + "') and turn_lease_until is null and message_count = 2")).isEqualTo("3");
            } catch (AssertionError | RuntimeException e) {
                System.out.println(app.output());
                throw e;
            } finally {
                finishes.complete(null);
                never.complete(null);
            }
        }
    }

    private static Map<String, String> settings() {
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + PackagedApp.database(),
                "quarkus.datasource.jdbc.url", PackagedApp.jdbcUrl(),
                "chatbot.database.create-if-missing", "true",
                "chatbot.llm.base-url", "http://127.0.0.1:" + upstreamPort + "/v1",
                "chatbot.llm.model", FakeLlmServer.MODEL,
                "chatbot.cursor.secret", "graceful-shutdown-it",
                "quarkus.shutdown.delay", DELAY.toMillis() + "ms",
                "quarkus.shutdown.timeout", DRAIN.toMillis() + "ms",
                "chatbot.turn.shutdown-grace", GRACE.toMillis() + "ms",
                // The packaged app runs the prod profile, whose default is JWT; this test calls with X-User-ID.
                "chatbot.auth.mode", "none");
    }

    /** What a pod killed right after storing a user message leaves: the message counted, the lease expired. */
    private static String staleTurnLeftByACrashedPod(String user) throws SQLException {
        String id = UUID.randomUUID().toString();
        update("insert into conversations (id, tenant_id, user_id, metadata, message_count, turn_lease_until,"
                + " created_at, updated_at) values ('" + id + "', 'default', '" + user + "', '{}', 1,"
                + " now() - interval '1 minute', now() - interval '11 minutes', now() - interval '11 minutes')");
        update("insert into messages (id, conversation_id, tenant_id, user_id, message_type, status, content,"
                + " metadata, content_tokens, created_at, updated_at) values (gen_random_uuid(), '" + id
                + "', 'default', '" + user + "', 'user', 'complete', 'hello?', '{}', 2,"
                + " now() - interval '11 minutes', now() - interval '11 minutes')");
        return id;
    }

    private static HttpResponse<String> awaitStatus(PackagedApp app, String path, int status, Duration within,
            String... user) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder request = app.request(path).GET();
            if (user.length > 0) {
                request.header("X-User-ID", user[0]);
            }
            last = app.send(request);
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " did not answer " + status + " within " + within + "; last: "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static String awaitText(String query, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String value;
        while ((value = text(query)) == null && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return value;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static String text(String query) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PackagedApp.jdbcUrl(), "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static void update(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PackagedApp.jdbcUrl(), "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
