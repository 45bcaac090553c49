package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.microchatbot.redis.BoundedRedis;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * Redis as readiness sees it: always UP, since no request needs it (the cache falls back to PostgreSQL, the rate
 * limits to per-pod buckets) and every pod shares it, so taking pods out of rotation would help nobody. Its state
 * is in the data: {@code up}, or {@code degraded} with the reason. One PING, bounded by the command timeout.
 */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements AsyncHealthCheck {

    private final BoundedRedis redis;

    RedisHealthCheck(BoundedRedis redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (redis.state() == CircuitBreakerState.OPEN) {
            return Uni.createFrom().item(degraded("paused after repeated failures; requests go on without Redis"));
        }
        return redis.send("health", Request.cmd(Command.PING))
                .map(pong -> HealthCheckResponse.named("redis").up().withData("status", "up").build())
                .onFailure().recoverWithItem(failure -> degraded(failure.getMessage()));
    }

    private static HealthCheckResponse degraded(String reason) {
        return HealthCheckResponse.named("redis").up()
                .withData("status", "degraded")
                .withData("reason", reason)
                .withData("effect", "cache misses read PostgreSQL; rate limits are per pod")
                .build();
    }
}
