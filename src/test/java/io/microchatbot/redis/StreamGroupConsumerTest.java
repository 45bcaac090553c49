package io.microchatbot.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The consumer loop against the real Redis, on a stream of its own; what the commands and webhook tests do not reach. */
@Timeout(30)
class StreamGroupConsumerTest {

    private static final Vertx VERTX = Vertx.vertx();
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Redis client = Redis.createClient(VERTX, "redis://127.0.0.1:6379");
    private final ReactiveRedisDataSource redis = new ReactiveRedisDataSourceImpl(VERTX, client, RedisAPI.api(client));
    private final ReactiveStreamCommands<String, String, String> streams = redis.stream(String.class);
    private final String stream = "test.stream-group." + UUID.randomUUID();
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private StreamGroupConsumer consumer;

    @AfterEach
    void cleanUp() {
        if (consumer != null) {
            consumer.stop();
        }
        redis.key().del(stream).await().atMost(WAIT);
        client.close();
    }

    @AfterAll
    static void closeVertx() {
        VERTX.closeAndAwait();
    }

    @Test
    void aBatchWhoseHandlerFailedIsReadAgainFirstAfterTheBackoffNotAfterTheClaimIdleTime() {
        String first = add("n", "1");
        String second = add("n", "2");
        AtomicInteger calls = new AtomicInteger();
        consumer = start(true, entries -> calls.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("database down"))
                : consumer.acknowledge(entries));

        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() >= 2);
        assertThat(batches.get(0)).containsExactly(first, second);
        assertThat(batches.get(1)).containsExactly(first, second);
        await().atMost(Duration.ofSeconds(5)).until(() -> pending() == 0);
    }

    @Test
    void anEntryDeletedWhilePendingIsLeftOutWhenItsBatchIsReadAgain() {
        String deleted = add("n", "1");
        String kept = add("n", "2");
        AtomicInteger calls = new AtomicInteger();
        consumer = start(true, entries -> {
            if (calls.incrementAndGet() == 1) {
                return streams.xdel(stream, deleted)
                        .chain(() -> Uni.createFrom().failure(new IllegalStateException("database down")));
            }
            return consumer.acknowledge(entries);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() >= 2);
        assertThat(batches.get(0)).containsExactly(deleted, kept);
        assertThat(batches.get(1)).containsExactly(kept);
        String later = add("n", "3");
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.stream().anyMatch(batch -> batch.contains(later)));
    }

    @Test
    void aConsumerThatStopsWithNothingPendingLeavesTheGroup() {
        add("n", "1");
        consumer = start(false, entries -> consumer.acknowledge(entries));
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1 && pending() == 0);
        assertThat(consumers()).isEqualTo(1);

        consumer.stop();
        consumer = null;
        assertThat(consumers()).isZero();
    }

    private StreamGroupConsumer start(boolean rereadOwnPending, StreamHandler handler) {
        StreamGroup settings = new StreamGroup("test", stream, "test-group", "0", 10, Duration.ofMillis(100),
                Duration.ZERO, NEVER, Duration.ofSeconds(1),
                new StreamGroup.Backoff(Duration.ofMillis(50), Duration.ofMillis(100)), rereadOwnPending);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BoundedStreams bounded = new BoundedStreams(streams, settings.timeout(),
                new RedisTrouble(registry, new TestRedisConfig()), new RedisRoundTrips(registry));
        StreamGroupConsumer started = new StreamGroupConsumer(settings, bounded, VERTX.getDelegate(), entries -> {
            batches.add(entries.stream().map(StreamEntry::id).toList());
            return handler.handle(entries);
        });
        started.start();
        return started;
    }

    private String add(String field, String value) {
        return streams.xadd(stream, Map.of(field, value)).await().atMost(WAIT);
    }

    private int pending() {
        return streams.xpending(stream, "test-group", StreamRange.of("-", "+"), 100).await().atMost(WAIT).size();
    }

    private int consumers() {
        return redis.execute("XINFO", "CONSUMERS", stream, "test-group").await().atMost(WAIT).size();
    }

    private static final class TestRedisConfig implements RedisConfig {

        @Override
        public Duration commandTimeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration errorLogInterval() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration pause() {
            return Duration.ofSeconds(1);
        }
    }
}
