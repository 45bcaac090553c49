package io.microchatbot.redis;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.client.RedisClientName;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.vertx.core.Vertx;

/**
 * Makes the {@link StreamGroupConsumer}s: on the Redis client requests share, or on the {@code streams} client
 * ({@code quarkus.redis.streams.*} in application.properties: a small pool of its own, so that a read blocked in
 * Redis never holds one of the connections requests share).
 */
@ApplicationScoped
public class StreamGroups {

    private final ReactiveRedisDataSource shared;
    private final ReactiveRedisDataSource dedicated;
    private final RedisTrouble trouble;
    private final RedisRoundTrips roundTrips;
    private final Vertx vertx;

    StreamGroups(ReactiveRedisDataSource shared, @RedisClientName("streams") ReactiveRedisDataSource dedicated,
            RedisTrouble trouble, RedisRoundTrips roundTrips, Vertx vertx) {
        this.shared = shared;
        this.dedicated = dedicated;
        this.trouble = trouble;
        this.roundTrips = roundTrips;
        this.vertx = vertx;
    }

    /** On the connections requests share: for reads that do not block in Redis. */
    public StreamGroupConsumer shared(StreamGroup settings, StreamHandler handler) {
        return consumer(settings, shared, handler);
    }

    /** On the {@code streams} client: for reads that block in Redis until entries arrive. */
    public StreamGroupConsumer dedicated(StreamGroup settings, StreamHandler handler) {
        return consumer(settings, dedicated, handler);
    }

    private StreamGroupConsumer consumer(StreamGroup settings, ReactiveRedisDataSource redis, StreamHandler handler) {
        BoundedStreams streams = new BoundedStreams(redis.stream(String.class), settings.timeout(), trouble, roundTrips);
        return new StreamGroupConsumer(settings, streams, vertx, handler);
    }
}
