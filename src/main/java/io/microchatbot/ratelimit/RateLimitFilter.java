package io.microchatbot.ratelimit;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.microchatbot.security.Access;
import io.microchatbot.security.CurrentCaller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Applies the rate limits to every {@code /api/v1} and {@code /v1} request once it is matched to a resource, and sets the IETF
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers on its response, whatever
 * that turns out to be. A refused request is a 429 {@code rate_limited} problem with {@code Retry-After}. It runs
 * after {@code AccessFilter}: requests that failed authentication never reach it.
 */
public class RateLimitFilter {

    public static final String LIMIT = "RateLimit-Limit";
    public static final String REMAINING = "RateLimit-Remaining";
    public static final String RESET = "RateLimit-Reset";

    private final RateLimiter limiter;
    private final RoutingContext routing;
    private final CurrentCaller callers;

    RateLimitFilter(RateLimiter limiter, RoutingContext routing, CurrentCaller callers) {
        this.limiter = limiter;
        this.routing = routing;
        this.callers = callers;
    }

    @ServerRequestFilter
    public Uni<Void> limit(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!limiter.enabled() || !path.startsWith("/api/v1/") && !path.startsWith("/v1/")) {
            return Uni.createFrom().voidItem();
        }
        if (!callers.known()) {
            return Uni.createFrom().voidItem();
        }
        Access access = callers.access();
        RequestKind kind = resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(TurnRequest.class) ? RequestKind.turn : RequestKind.read;
        HttpServerResponse response = routing.response();
        return limiter.take(access, kind)
                .invoke(quota -> headers(response, quota))
                .invoke(quota -> {
                    if (!quota.allowed()) {
                        throw RateLimiter.refusal(kind, quota);
                    }
                })
                .replaceWithVoid();
    }

    private static void headers(HttpServerResponse response, Quota quota) {
        if (quota.limited()) {
            response.putHeader(LIMIT, Long.toString(quota.limit()));
            response.putHeader(REMAINING, Long.toString(Math.max(0, quota.remaining())));
            response.putHeader(RESET, Long.toString(quota.resetSeconds()));
        }
    }
}
