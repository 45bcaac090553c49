package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * The paths callers of the earlier services use, answered by the standard endpoints (rerouted inside the server,
 * not redirected): {@code /health} is {@code /q/health/ready}, {@code /health/db} the {@code db} group,
 * {@code /health/detailed} every check ({@code /q/health}), {@code /metrics} is {@code /q/metrics}.
 */
@ApplicationScoped
public class HealthAliases {

    void install(@Observes Router router) {
        router.get("/health").handler(context -> context.reroute("/q/health/ready"));
        router.get("/health/db").handler(context -> context.reroute("/q/health/group/" + DatabaseHealthCheck.GROUP));
        router.get("/health/detailed").handler(context -> context.reroute("/q/health"));
        router.get("/metrics").handler(context -> context.reroute("/q/metrics"));
    }
}
