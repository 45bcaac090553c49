package io.microchatbot.rest;

import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.problem.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Answers API paths that no resource matched with a problem rather than the router's plain 404 page. */
public class ApiFallbackRouting {

    private final ObjectMapper json;

    ApiFallbackRouting(ObjectMapper json) {
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(Integer.MAX_VALUE).handler(this::notFound);
    }

    private void notFound(RoutingContext context) {
        try {
            context.response()
                    .setStatusCode(404)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .end(json.writeValueAsString(ProblemMappers.problem(ErrorCode.not_found,
                            "No such endpoint: " + context.request().method() + " " + context.request().path(),
                            context.request().path())));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }
}
