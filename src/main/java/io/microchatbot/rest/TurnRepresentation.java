package io.microchatbot.rest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Chooses and writes the representation of a turn, JSON or server-sent events, through one streaming writer.
 * <p>
 * Why not plain JAX-RS: its SSE support commits a 200 before the first event, while a turn can still fail with
 * 404, 409 or 400 until its user message is stored; and content negotiation cannot see {@code "stream": true} in
 * the body. So the turn method produces one internal type, {@link #INTERNAL_MEDIA_TYPE}, written chunk by chunk
 * with the real Content-Type set per response; a router handler keeps the caller's Accept header aside and asks
 * JAX-RS for the internal type. Nothing is written before the turn has started, so early failures stay problems.
 */
@ApplicationScoped
public class TurnRepresentation {

    /** What JAX-RS is asked for on the turn route; never seen by callers. Must not contain "json" or be SSE. */
    public static final String INTERNAL_MEDIA_TYPE = "application/x-chatbot-turn";
    private static final String TURN_PATH = "/api/v1/conversations/[^/]+/messages/?";
    /** A turn followed again (TurnResource): always server-sent events, written as the turn's own. */
    private static final String FOLLOW_PATH = "/api/v1/conversations/[^/]+/turns/[^/]+/events/?";
    private static final String CALLER_ACCEPT = "chatbot.caller-accept";

    /** Server-sent events, and no buffering by proxies (nginx, ingress controllers). */
    static final Map<String, List<String>> EVENT_STREAM_HEADERS = Map.of(
            "Content-Type", List.of("text/event-stream;charset=UTF-8"),
            "Cache-Control", List.of("no-cache"),
            "X-Accel-Buffering", List.of("no"));

    void install(@Observes Router router) {
        router.postWithRegex(TURN_PATH).order(-1).handler(context -> {
            String accept = context.request().getHeader(HttpHeaders.ACCEPT);
            context.put(CALLER_ACCEPT, accept == null ? MediaType.WILDCARD : accept);
            context.request().headers().set(HttpHeaders.ACCEPT, INTERNAL_MEDIA_TYPE);
            context.next();
        });
        router.getWithRegex(FOLLOW_PATH).order(-1).handler(context -> {
            context.request().headers().set(HttpHeaders.ACCEPT, INTERNAL_MEDIA_TYPE);
            context.next();
        });
    }

    /** SSE when asked for by Accept or by the body; JSON otherwise; 406 when the caller accepts neither. */
    boolean streamed(RoutingContext context, SendMessageRequest body) {
        if (body != null && Boolean.TRUE.equals(body.stream())) {
            return true;
        }
        String accept = context.get(CALLER_ACCEPT);
        List<MediaType> accepted = accept == null ? List.of(MediaType.WILDCARD_TYPE) : parse(accept);
        if (accepted.stream().anyMatch(type -> !type.isWildcardType()
                && type.isCompatible(MediaType.SERVER_SENT_EVENTS_TYPE))) {
            return true;
        }
        if (accepted.stream().noneMatch(type -> type.isCompatible(MediaType.APPLICATION_JSON_TYPE))) {
            throw new ApiException(ErrorCode.not_acceptable,
                    "A turn is answered as application/json or, when streamed, as text/event-stream");
        }
        return false;
    }

    private static List<MediaType> parse(String accept) {
        try {
            return Arrays.stream(accept.split(","))
                    .map(String::trim)
                    .filter(type -> !type.isEmpty())
                    .map(MediaType::valueOf)
                    .toList();
        } catch (IllegalArgumentException malformed) {
            throw new ApiException(ErrorCode.not_acceptable, "The Accept header cannot be parsed");
        }
    }
}
