package io.microchatbot.testing;

import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

/** Shorthands for calling the API as a fresh, unique caller, so that tests never see each other's data. */
public final class Api {

    private Api() {
    }

    public static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    public static String newTenant() {
        return "tenant-" + UUID.randomUUID();
    }

    /** A request as {@code user} of the default tenant. */
    public static RequestSpecification as(String user) {
        return given().header("X-User-ID", user);
    }

    public static RequestSpecification as(String tenant, String user) {
        return given().header("X-User-ID", user).header("X-Tenant-ID", tenant);
    }

    /** Opens a conversation for {@code user} and returns its id. */
    public static String conversation(String user) {
        return conversation(as(user), Map.of());
    }

    public static String conversation(RequestSpecification caller, Map<String, Object> body) {
        return caller.contentType(ContentType.JSON).body(body)
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .extract().path("id");
    }

    /** Runs one non-streaming turn and checks it succeeded. */
    public static void turn(String user, String conversationId, String content) {
        as(user).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", conversationId)
                .then().statusCode(201);
    }
}
