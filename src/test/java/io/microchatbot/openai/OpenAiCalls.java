package io.microchatbot.openai;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.Sql;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Shorthands of the OpenAI-compatible API tests: request bodies, callers and the usage rows they leave. */
final class OpenAiCalls {

    static final String COMPLETIONS = "/v1/chat/completions";

    private OpenAiCalls() {
    }

    static JsonObject body(String content) {
        return new JsonObject().put("model", FakeLlmServer.MODEL)
                .put("messages", new JsonArray().add(user(content)));
    }

    static JsonObject user(String content) {
        return new JsonObject().put("role", "user").put("content", content);
    }

    static RequestSpecification as(String user) {
        return given().header("X-User-ID", user).contentType(ContentType.JSON);
    }

    static RequestSpecification as(String tenant, String user) {
        return as(user).header("X-Tenant-ID", tenant);
    }

    /** The usage rows of one caller, oldest first, as column maps. */
    static List<Map<String, String>> usageOf(String user) throws SQLException {
        String rows = Sql.text("select coalesce(json_agg(u order by created_at), '[]') from usage_records u"
                + " where user_id = '" + user + "'");
        return new JsonArray(rows).stream().map(row -> ((JsonObject) row).getMap().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        entry -> String.valueOf(entry.getValue()))))
                .toList();
    }

    /** Waits for the one usage row a call writes after its answer. */
    static Map<String, String> awaitUsageRow(String user) {
        await().atMost(Duration.ofSeconds(10)).until(() -> usageOf(user).size() == 1);
        try {
            return usageOf(user).get(0);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
