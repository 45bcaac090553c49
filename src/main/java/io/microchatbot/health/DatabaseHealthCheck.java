package io.microchatbot.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The database as the request path sees it (the reactive pool), for {@code /health/db}: one {@code select 1},
 * bounded to 1 s. Readiness has the extension's own checks; this one is in the {@code db} group only.
 */
@HealthGroup(DatabaseHealthCheck.GROUP)
@ApplicationScoped
public class DatabaseHealthCheck implements AsyncHealthCheck {

    public static final String GROUP = "db";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Pool pool;

    DatabaseHealthCheck(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        long start = System.nanoTime();
        return pool.query("select 1").execute()
                .ifNoItem().after(TIMEOUT).fail()
                .map(rows -> HealthCheckResponse.named("postgresql").up()
                        .withData("latency_ms", (System.nanoTime() - start) / 1_000_000).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("postgresql").down()
                        .withData("reason", String.valueOf(failure.getMessage())).build());
    }
}
