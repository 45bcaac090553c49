package io.microchatbot.rest;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.problem.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses an API request whose declared Content-Length is over {@code quarkus.http.limits.max-body-size} with a
 * 413 problem, before any of it is read. (The HTTP server enforces the same limit on chunked bodies by itself,
 * with a bare 413.)
 */
public class BodySizeLimit {

    private final ObjectMapper json;
    private final long maxBodyBytes;

    BodySizeLimit(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.json = json;
        this.maxBodyBytes = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || !isOver(length)) {
            context.next();
            return;
        }
        try {
            context.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json.writeValueAsString(ProblemMappers.problem(ErrorCode.payload_too_large,
                            "The body is larger than " + maxBodyBytes + " bytes", context.request().path())));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }

    private boolean isOver(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodyBytes;
        } catch (NumberFormatException malformed) {
            return false; // the HTTP server rejects it
        }
    }
}
