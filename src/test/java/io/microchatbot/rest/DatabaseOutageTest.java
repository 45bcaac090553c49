package io.microchatbot.rest;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.DatabaseProxyResource;
import io.microchatbot.testing.FakeLlmResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(value = DatabaseProxyResource.class, restrictToAnnotatedClass = true)
class DatabaseOutageTest {

    @AfterEach
    void restoreDatabase() {
        DatabaseProxyResource.restore();
    }

    @Test
    void unreachableDatabaseIs503WithRetryAfterAndTheServiceRecoversByItself() {
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

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                io.restassured.RestAssured.get("/q/health/ready").then().statusCode(503)
                        .body(containsString("Reactive PostgreSQL connections health check")));

        io.restassured.RestAssured.get("/health/db").then().statusCode(503)
                .body("checks.find { it.name == 'postgresql' }.status", equalTo("DOWN"));

        DatabaseProxyResource.restore();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                as(user).get("/api/v1/conversations/{id}", id).then().statusCode(200));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                io.restassured.RestAssured.get("/health/db").then().statusCode(200));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                io.restassured.RestAssured.get("/q/health/ready").then().statusCode(200));
        as(user).contentType(ContentType.JSON).body("{\"content\":\"hello again\"}")
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(2));
    }
}
