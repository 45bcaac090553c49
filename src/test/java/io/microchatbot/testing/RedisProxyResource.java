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
 * A TCP relay in front of the real Redis, used by every test (it is not restricted to a class), that a test can cut
 * (connections dropped and refused) or stall (connections kept open, nothing forwarded) to see the service go on
 * without Redis, and restore to see it come back. Tests that cut or stall it restore it in {@code @AfterEach}.
 */
public class RedisProxyResource implements QuarkusTestResourceLifecycleManager {

    public static final int REDIS_PORT = 6379;
    private static final Vertx VERTX = Vertx.vertx();
    private static final List<NetSocket> OPEN = new CopyOnWriteArrayList<>();
    private static volatile boolean down;
    private static volatile boolean stalled;
    private NetServer server;

    /** Drops every open connection and refuses new ones until {@link #restore()}. */
    public static void cut() {
        down = true;
        OPEN.forEach(NetSocket::close);
        OPEN.clear();
    }

    /** Keeps connections open but forwards nothing: Redis looks hung. */
    public static void stall() {
        stalled = true;
        OPEN.forEach(NetSocket::pause);
    }

    public static void restore() {
        down = false;
        stalled = false;
        OPEN.forEach(NetSocket::resume);
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
                client.connect(REDIS_PORT, "127.0.0.1").onSuccess(outbound -> {
                    OPEN.add(inbound);
                    OPEN.add(outbound);
                    inbound.handler(outbound::write);
                    outbound.handler(inbound::write);
                    inbound.closeHandler(v -> {
                        OPEN.remove(inbound);
                        outbound.close();
                    });
                    outbound.closeHandler(v -> {
                        OPEN.remove(outbound);
                        inbound.close();
                    });
                    if (stalled) {
                        outbound.pause();
                    } else {
                        inbound.resume();
                    }
                }).onFailure(e -> inbound.close());
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the Redis relay", e);
        }
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void stop() {
        restore();
        server.close();
    }
}
