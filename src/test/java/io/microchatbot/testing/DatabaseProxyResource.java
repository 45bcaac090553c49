package io.microchatbot.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP relay in front of the real PostgreSQL that a test can cut, to see what callers get while the database is
 * unreachable and that the service recovers by itself. Only the reactive pool (the request path) goes through it;
 * migrations connect directly.
 */
public class DatabaseProxyResource implements QuarkusTestResourceLifecycleManager {

    private static final Vertx VERTX = Vertx.vertx();
    private static final List<NetSocket> OPEN = new CopyOnWriteArrayList<>();
    private static volatile boolean down;
    private NetServer server;

    /** Drops every open connection and refuses new ones until {@link #restore()}. */
    public static void cut() {
        down = true;
        OPEN.forEach(NetSocket::close);
        OPEN.clear();
    }

    public static void restore() {
        down = false;
    }

    @Override
    public Map<String, String> start() {
        NetClient client = VERTX.createNetClient();
        try {
            server = VERTX.createNetServer().connectHandler(inbound -> {
                if (down) {
                    inbound.close();
                    return;
                }
                inbound.pause();
                client.connect(5432, "127.0.0.1").onSuccess(outbound -> {
                    OPEN.add(inbound);
                    OPEN.add(outbound);
                    inbound.handler(outbound::write);
                    outbound.handler(inbound::write);
                    inbound.closeHandler(v -> outbound.close());
                    outbound.closeHandler(v -> inbound.close());
                    inbound.resume();
                }).onFailure(e -> inbound.close());
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the database relay", e);
        }
        String database = System.getenv().getOrDefault("TEST_DB_NAME", "chatbot_test");
        return Map.of("quarkus.datasource.reactive.url",
                "postgresql://127.0.0.1:" + server.actualPort() + "/" + database);
    }

    @Override
    public void stop() {
        restore();
        server.close();
    }
}
