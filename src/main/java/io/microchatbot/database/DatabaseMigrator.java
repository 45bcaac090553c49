package io.microchatbot.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Brings the schema up to date before the service takes traffic. On a local run it first creates the database
 * when missing ({@code chatbot.database.create-if-missing}), so the quick start needs no {@code createdb}.
 * Several pods starting at once are safe: Flyway serialises them with a lock in the database.
 */
@Singleton
public class DatabaseMigrator {

    private static final Pattern JDBC_URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]+)(\\?.*)?");

    private final Flyway flyway;
    private final DatabaseConfig config;
    private final String jdbcUrl;
    private final String username;
    private final Optional<String> password;
    private volatile String schemaVersion;

    DatabaseMigrator(Flyway flyway, DatabaseConfig config,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.username") String username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.flyway = flyway;
        this.config = config;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
    }

    void migrate(@Observes @Priority(1) StartupEvent start) throws SQLException {
        if (config.createIfMissing()) {
            createIfMissing();
        }
        var result = flyway.migrate();
        schemaVersion = flyway.info().current() == null ? "none" : flyway.info().current().getVersion().toString();
        Log.infof("Database schema at version %s (%d migration(s) applied now)", schemaVersion,
                result.migrationsExecuted);
    }

    /** The schema version once this pod migrated it; empty before (the pod is starting) or if migrating failed. */
    public Optional<String> schemaVersion() {
        return Optional.ofNullable(schemaVersion);
    }

    private void createIfMissing() throws SQLException {
        Matcher url = JDBC_URL.matcher(jdbcUrl);
        if (!url.matches()) {
            Log.warnf("Cannot tell the database name from the JDBC URL; not creating it");
            return;
        }
        String database = url.group(2);
        String maintenanceUrl = url.group(1) + "postgres" + (url.group(3) == null ? "" : url.group(3));
        try (Connection connection = DriverManager.getConnection(maintenanceUrl, username, password.orElse(""));
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet row = exists.executeQuery()) {
                if (row.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                Log.infof("Created database %s", database);
            } catch (SQLException raced) {
                // 42P04: another instance created it between our check and now
                if (!"42P04".equals(raced.getSQLState())) {
                    throw raced;
                }
            }
        }
    }
}
