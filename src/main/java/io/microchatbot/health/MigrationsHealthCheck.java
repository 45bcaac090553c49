package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import io.microchatbot.database.DatabaseMigrator;

/** Started and ready only once this pod brought the schema up to date: it reads a flag, never the database. */
@Startup
@Readiness
@ApplicationScoped
public class MigrationsHealthCheck implements HealthCheck {

    private final DatabaseMigrator migrator;

    MigrationsHealthCheck(DatabaseMigrator migrator) {
        this.migrator = migrator;
    }

    @Override
    public HealthCheckResponse call() {
        return migrator.schemaVersion()
                .map(version -> HealthCheckResponse.named("migrations").up().withData("schema_version", version).build())
                .orElseGet(() -> HealthCheckResponse.named("migrations").down().withData("reason", "not applied yet")
                        .build());
    }
}
