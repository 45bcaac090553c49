package io.microchatbot.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link TcpRelay} in front of the real PostgreSQL that a test can cut, to see what callers get while the
 * database is unreachable and that the service recovers by itself. Only the reactive pool (the request path) goes
 * through it; migrations connect directly.
 */
public class DatabaseProxyResource implements QuarkusTestResourceLifecycleManager {

    private static final TcpRelay RELAY = new TcpRelay(5432);

    /** Drops every open connection and refuses new ones until {@link #restore()}. */
    public static void cut() {
        RELAY.cut();
    }

    /** Keeps the connections open but forwards nothing until {@link #restore()}: the database looks hung. */
    public static void stall() {
        RELAY.stall();
    }

    public static void restore() {
        RELAY.restore();
    }

    @Override
    public Map<String, String> start() {
        String database = System.getenv().getOrDefault("TEST_DB_NAME", "chatbot_test");
        return Map.of("quarkus.datasource.reactive.url",
                "postgresql://127.0.0.1:" + RELAY.start() + "/" + database);
    }

    @Override
    public void stop() {
        RELAY.stop();
    }
}
