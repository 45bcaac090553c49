package io.microchatbot.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The service's Redis connections go through a {@link TcpRelay}, for every test (it is not restricted to a class),
 * so that a test can cut or stall Redis. Tests that do restore it in {@code @AfterEach}.
 */
public class RedisProxyResource implements QuarkusTestResourceLifecycleManager {

    public static final int REDIS_PORT = 6379;
    private static final TcpRelay RELAY = new TcpRelay(REDIS_PORT);

    public static void cut() {
        RELAY.cut();
    }

    public static void stall() {
        RELAY.stall();
    }

    public static void restore() {
        RELAY.restore();
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + RELAY.start());
    }

    @Override
    public void stop() {
        RELAY.stop();
    }
}
