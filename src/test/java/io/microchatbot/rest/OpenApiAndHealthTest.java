package io.microchatbot.rest;

import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class OpenApiAndHealthTest {

    @Test
    void openApiDocumentDescribesTheApi() {
        given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("paths.keySet()", hasItems("/api/v1/conversations", "/api/v1/conversations/{id}",
                        "/api/v1/conversations/{id}/messages", "/api/v1/chat/conversations/{id}/messages"))
                .body(containsString("text/event-stream"));
    }

    @Test
    void readinessReportsTheDatabaseTheLlmProviderAndRedisAsUpOrDegraded() {
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("llm", "redis"))
                // The extension's own Redis check (DOWN when Redis is) stays off: no request needs Redis.
                .body(not(containsString("Redis connection health check")))
                .body("checks.find { it.name == 'redis' }.data.status", equalTo("up"))
                .body("checks.find { it.name == 'llm' }.data.mode", equalTo("remote"))
                .body(containsString("Database connections health check"));
    }

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
