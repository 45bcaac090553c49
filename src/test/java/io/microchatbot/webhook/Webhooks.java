package io.microchatbot.webhook;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import io.microchatbot.testing.Sql;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import static io.microchatbot.testing.Api.as;

/** The webhook API as one user of a tenant, and what the tests look at in the database. */
record Webhooks(String tenant, String user) {

    static final String WEBHOOKS = "/api/v1/webhooks";
    static final String WEBHOOK = "/api/v1/webhooks/{id}";
    static final String DELIVERIES = "/api/v1/webhooks/{id}/deliveries";
    static final String REDELIVER = "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver";

    /** Registers a webhook and returns the create answer (with its secret). */
    JsonPath register(String url, String... eventTypes) {
        return as(tenant, user).contentType(ContentType.JSON)
                .body(Map.of("url", url, "event_types", List.of(eventTypes)))
                .post(WEBHOOKS)
                .then().statusCode(201)
                .extract().jsonPath();
    }

    /** The webhook's delivery log, newest first. */
    JsonPath deliveries(String webhookId) {
        return as(tenant, user).get(DELIVERIES + "?limit=100", webhookId)
                .then().statusCode(200)
                .extract().jsonPath();
    }

    long storedWebhooks() throws SQLException {
        return Long.parseLong(Sql.text("select count(*) from webhooks where tenant_id = '" + tenant + "'"));
    }

    /** Deletes the tenant's webhooks and, with them, their deliveries. */
    void deleteAll() throws SQLException {
        Sql.execute("delete from webhooks where tenant_id = '" + tenant + "'");
    }
}
