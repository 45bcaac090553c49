package io.microchatbot.rest;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.problem.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Lets a turn ask for SSE in its body ({@code "stream": true}) as well as by {@code Accept: text/event-stream}: the
 * body of a turn is read here and, when it asks to stream, the request's Accept header is set to event-stream so
 * that JAX-RS picks the streaming method.
 * <p>
 * Every API body is read here, on the event loop and within {@code quarkus.http.limits.max-body-size}, so that an
 * oversized one is a 413 problem on every endpoint, and a body never has to be read by a blocking stream. The bytes
 * read are handed to JAX-RS as the entity by {@link #handOverBody}: JAX-RS must not read the request again (with a
 * body already read it would get an empty or zero-filled one once the body is larger than its input buffer).
 * Also answers unmatched API paths with problems.
 */
public class StreamFlagRouting {

    private static final String TURN_PATH = "/api/v1/conversations/[^/]+/messages/?";

    private final ObjectMapper json;
    private final long maxBodyBytes;

    StreamFlagRouting(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBody) {
        this.json = json;
        this.maxBodyBytes = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(-2)
                .method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .failureHandler(this::bodyFailure);
        router.postWithRegex(TURN_PATH).order(-1).handler(this::selectRepresentation);
        router.route("/api/*").order(Integer.MAX_VALUE).handler(this::notFound);
    }

    /** Gives JAX-RS the body that the router already read, instead of letting it read the request a second time. */
    @ServerRequestFilter(preMatching = true)
    public void handOverBody(ContainerRequestContext request, RoutingContext context) {
        RequestBody body = context.body();
        if (body != null && body.available()) {
            Buffer bytes = body.buffer();
            request.setEntityStream(new ByteArrayInputStream(bytes == null ? new byte[0] : bytes.getBytes()));
        }
    }

    private void selectRepresentation(RoutingContext context) {
        String accept = context.request().getHeader(HttpHeaders.ACCEPT);
        boolean wantsSse = accept != null && accept.contains(MediaType.SERVER_SENT_EVENTS);
        if (!wantsSse && asksToStream(context)) {
            context.request().headers().set(HttpHeaders.ACCEPT, MediaType.SERVER_SENT_EVENTS);
        }
        context.next();
    }

    private boolean asksToStream(RoutingContext context) {
        if (context.body() == null || context.body().isEmpty()) {
            return false;
        }
        try {
            JsonNode stream = json.readTree(context.body().buffer().getBytes()).get("stream");
            return stream != null && stream.isBoolean() && stream.booleanValue();
        } catch (IOException malformed) {
            return false; // the resource reports it
        }
    }

    private void bodyFailure(RoutingContext context) {
        if (context.statusCode() == 413) {
            write(context, 413, ErrorCode.payload_too_large, "The body is larger than " + maxBodyBytes + " bytes");
        } else {
            context.next();
        }
    }

    private void notFound(RoutingContext context) {
        write(context, 404, ErrorCode.not_found, "No such endpoint: " + context.request().method() + " "
                + context.request().path());
    }

    private void write(RoutingContext context, int status, ErrorCode code, String detail) {
        try {
            context.response()
                    .setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .end(json.writeValueAsString(ProblemMappers.problem(code, detail, context.request().path())));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }
}
