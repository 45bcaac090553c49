package io.microchatbot.rest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.lifecycle.ShutdownPhase;
import io.microchatbot.openai.OpenAiPaths;
import io.microchatbot.openai.OpenAiProblems;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.Problem;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * API requests while the pod stops. Once it drains ({@link ShutdownPhase}), a new request is refused with
 * {@code 503 shutting_down}, {@code Retry-After: 1} and {@code Connection: close}: nothing was started, so the
 * caller (or the mesh) can send it again at once and reach another pod. Health endpoints keep answering. A request
 * still running when the drain period is over (a stream that did not finish) is cut while the database can still
 * be reached, so that its turn stores the partial reply as {@code incomplete} instead of leaving no reply at all.
 * gRPC calls of {@code microchatbot.v1.ChatService} are tracked and cut alike.
 */
@ApplicationScoped
public class DrainingRequests {

    private static final int RETRY_AFTER_SECONDS = 1;
    private final ShutdownPhase phase;
    private final ObjectMapper json;
    private final OpenAiProblems openAi;
    private final Set<HttpServerRequest> running = ConcurrentHashMap.newKeySet();

    DrainingRequests(ShutdownPhase phase, ObjectMapper json, OpenAiProblems openAi) {
        this.phase = phase;
        this.json = json;
        this.openAi = openAi;
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(Integer.MIN_VALUE + 2).handler(this::admit);
        router.route("/v1/*").order(Integer.MIN_VALUE + 2).handler(this::admit);
        // gRPC calls share the HTTP server: tracked (and cut) the same way, refused by their own pipeline as a
        // gRPC status (UNAVAILABLE shutting_down) rather than as an HTTP problem a gRPC client cannot read.
        router.route("/microchatbot.v1.ChatService/*").order(Integer.MIN_VALUE + 2).handler(this::track);
    }

    /** Runs when the drain period is over or timed out, before the database pool closes. */
    void cutUnfinished(@Observes @Priority(10) ShutdownEvent event) {
        if (running.isEmpty()) {
            return;
        }
        Log.warnf("Cutting %d request(s) still running after the drain period", running.size());
        running.forEach(request -> request.connection().close());
    }

    /** API requests running now (each is forgotten when its response ends or its connection closes). */
    public int running() {
        return running.size();
    }

    private void admit(RoutingContext context) {
        if (phase.draining()) {
            refuse(context);
            return;
        }
        track(context);
    }

    private void track(RoutingContext context) {
        HttpServerRequest request = context.request();
        running.add(request);
        context.addEndHandler(ended -> running.remove(request));
        context.next();
    }

    /** On the OpenAI-compatible door, with the {@code error} member its clients read. */
    private Object body(Problem problem) {
        return OpenAiPaths.isOpenAi(problem.instance()) ? openAi.body(problem) : problem;
    }

    private void refuse(RoutingContext context) {
        try {
            context.response()
                    .setStatusCode(503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json.writeValueAsString(body(ProblemMappers.problem(ErrorCode.shutting_down,
                            "This instance is shutting down; send the request again", context.request().path()))));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }
}
