package io.microchatbot.security;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates every {@code /api/v1} and OpenAI-compatible {@code /v1} request before anything else runs
 * ({@link Authenticator}) and checks the
 * scope its resource method needs ({@link RequiresScope}); the caller is then in {@link CurrentCaller}.
 */
public class AccessFilter {

    private final Authenticator authenticator;
    private final CurrentCaller current;
    private final RoutingContext routing;

    AccessFilter(Authenticator authenticator, CurrentCaller current, RoutingContext routing) {
        this.authenticator = authenticator;
        this.current = current;
        this.routing = routing;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Void> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1/") && !path.startsWith("/v1/")) {
            return Uni.createFrom().voidItem();
        }
        Scope needed = needed(request.getMethod(), resource);
        return authenticator.authenticate(routing.request())
                .invoke(access -> access.require(needed))
                .invoke(current::set)
                .invoke(Access::nameInLogs)
                .replaceWithVoid();
    }

    private static Scope needed(String method, ResourceInfo resource) {
        if (resource.getResourceMethod() != null) {
            RequiresScope onMethod = resource.getResourceMethod().getAnnotation(RequiresScope.class);
            if (onMethod != null) {
                return onMethod.value();
            }
            RequiresScope onClass = resource.getResourceClass().getAnnotation(RequiresScope.class);
            if (onClass != null) {
                return onClass.value();
            }
        }
        return "GET".equals(method) || "HEAD".equals(method) ? Scope.read : Scope.chat;
    }
}
