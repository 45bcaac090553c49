package io.microchatbot.testing;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;

import io.microchatbot.redis.BoundedRedis;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * The service's Redis connections go through a {@link TcpRelay}, for every test (it is not restricted to a class),
 * so that a test can cut or stall Redis. Tests that do call {@link #restoreForTheNextTest()} in {@code @AfterEach}.
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

    /**
     * Restores Redis and waits until the service uses it again: its breaker closed and a command answered. Otherwise
     * the failures a test caused can open the breaker again in the next test, which then sees Redis skipped (a turn
     * slot's release, for one) for reasons of its own.
     */
    public static void restoreForTheNextTest() {
        RELAY.restore();
        BoundedRedis redis = Arc.container().instance(BoundedRedis.class).get();
        Awaitility.await("the service's Redis breaker closed again").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> answers(redis) && redis.state() == CircuitBreakerState.CLOSED);
    }

    private static boolean answers(BoundedRedis redis) {
        try {
            redis.send("test probe", Request.cmd(Command.PING)).await().atMost(Duration.ofSeconds(2));
            return true;
        } catch (RuntimeException stillFailing) {
            return false;
        }
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
