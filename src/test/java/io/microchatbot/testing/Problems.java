package io.microchatbot.testing;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** Checks that a response is an RFC 9457 problem with our stable code, and that it leaks no internals. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /**
     * Asserts that {@code response} is a problem of the given status and code, carrying a type, a title, a correlation
     * id, and neither a stack trace nor the name of an exception or an internal package.
     */
    public static ValidatableResponse assertProblem(Response response, int status, String code) {
        String body = response.asString();
        assertThat(body)
                .as("problem body")
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContainPattern("at [\\w$.]+\\([\\w$]+\\.java:\\d+\\)")
                .doesNotContain("java.lang")
                .doesNotContain("com.fasterxml")
                .doesNotContain("io.vertx")
                .doesNotContain("org.jboss")
                .doesNotContain("io.microchatbot");
        return response.then()
                .statusCode(status)
                .contentType(MEDIA_TYPE)
                .body("status", is(status))
                .body("code", equalTo(code))
                .body("type", equalTo("https://micro-chatbot-service/errors/" + code.replace('_', '-')))
                .body("title", not(emptyOrNullString()))
                .body("correlation_id", not(emptyOrNullString()));
    }
}
