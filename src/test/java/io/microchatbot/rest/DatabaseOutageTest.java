package io.microchatbot.rest;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.microchatbot.testing.DatabaseProxyResource;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(value = DatabaseProxyResource.class, restrictToAnnotatedClass = true)
class DatabaseOutageTest {

    @AfterEach
    void restoreDatabase() {
        DatabaseProxyResource.restore();
    }

    @Test
    void unreachableDatabaseIs503WithRetryAfterAndTheServiceRecoversByItself() throws Exception {
        String user = newUser();
        String id = conversation(user);

        DatabaseProxyResource.cut();
        as(user).get("/api/v1/conversations/{id}", id)
                .then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("\\d+"))
                .body("code", equalTo("database_unavailable"))
                .body(not(containsString("Exception")));
        as(user).contentType(ContentType.JSON).body("{\"content\":\"hello\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(503)
                .body("code", equalTo("database_unavailable"));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> io.restassured.RestAssured.get("/q/health/ready").then().statusCode(503)
                        .body(containsString("Reactive PostgreSQL connections health check")));

        io.restassured.RestAssured.get("/health/db").then().statusCode(503)
                .body("checks.find { it.name == 'postgresql' }.status", equalTo("DOWN"));
        // gRPC health follows readiness: callers probing grpc.health.v1 stop routing here too.
        try (GrpcClient grpc = new GrpcClient()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> grpc.health("microchatbot.v1.ChatService") == ServingStatus.NOT_SERVING);
            assertThat(grpc.health("")).isEqualTo(ServingStatus.NOT_SERVING);
        }

        DatabaseProxyResource.restore();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> as(user).get("/api/v1/conversations/{id}", id).then().statusCode(200));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> io.restassured.RestAssured.get("/health/db").then().statusCode(200));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> io.restassured.RestAssured.get("/q/health/ready").then().statusCode(200));
        try (GrpcClient grpc = new GrpcClient()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> grpc.health("") == ServingStatus.SERVING);
        }
        as(user).contentType(ContentType.JSON).body("{\"content\":\"hello again\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }

    /**
     * A caller that hangs up while its turn is inside its first transaction (found by the benchmarks: wrk closes
     * its connections mid-request). The session used to be closed under the running transaction: the message was
     * lost, or, once committed, the conversation answered 409 until its lease expired.
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void aCallerHangingUpWhileItsMessageIsStoredLosesNothingAndLeavesTheConversationUsable(boolean stream)
            throws Exception {
        String user = newUser();
        String id = conversation(user);

        DatabaseProxyResource.stall();
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            String body = "{\"content\":\"hello\",\"stream\":" + stream + "}";
            socket.getOutputStream().write(("POST /api/v1/conversations/" + id + "/messages HTTP/1.1\r\n"
                    + "Host: localhost\r\nX-User-ID: " + user + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            Thread.sleep(500); // the turn now waits on the hung database, inside its first transaction
        }
        DatabaseProxyResource.restore();

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> as(user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(200)
                        .body("total_count", is(2))
                        .body("messages[0].content", equalTo("hello"))
                        .body("messages[1].message_type", equalTo("assistant"))
                        .body("messages[1].metadata.status", equalTo("complete")));
        as(user).contentType(ContentType.JSON).body("{\"content\":\"next\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }
}
