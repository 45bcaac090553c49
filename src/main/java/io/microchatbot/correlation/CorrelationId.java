package io.microchatbot.correlation;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every request a correlation id: the caller's {@code X-Request-ID} or {@code X-Correlation-ID} when it is
 * sane, a new one otherwise. Echoed in both response headers, put in the log MDC, and in every problem body.
 * Installed on the Vert.x router so it covers every route, including the ones no resource matched.
 */
public class CorrelationId {

    public static final String REQUEST_HEADER = "X-Request-ID";
    public static final String CORRELATION_HEADER = "X-Correlation-ID";
    public static final String MDC_KEY = "correlation_id";
    private static final String CONTEXT_KEY = "chatbot.correlation-id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::assign);
    }

    private void assign(RoutingContext context) {
        String id = of(context.request().getHeader(REQUEST_HEADER), context.request().getHeader(CORRELATION_HEADER));
        context.put(CONTEXT_KEY, id);
        context.response().putHeader(REQUEST_HEADER, id);
        context.response().putHeader(CORRELATION_HEADER, id);
        MDC.put(MDC_KEY, id);
        context.next();
    }

    /** The id of a request that sent these headers (either may be null): the first sane one, else a new one. */
    public static String of(String requestId, String correlationId) {
        String id = sane(requestId);
        if (id == null) {
            id = sane(correlationId);
        }
        return id == null ? UUID.randomUUID().toString() : id;
    }

    /** The current request's id, or null outside a request. */
    public static String current() {
        Object id = MDC.get(MDC_KEY);
        return id == null ? null : id.toString();
    }

    private static String sane(String header) {
        return header != null && SANE.matcher(header).matches() ? header : null;
    }
}
