package io.microchatbot.redis;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;

/** Makes the {@link StreamGroupConsumer}s: on the Redis client requests share, or on one of their own. */
@ApplicationScoped
public class StreamGroups {

    private final ReactiveRedisDataSource shared;
    private final RedisTrouble trouble;
    private final RedisRoundTrips roundTrips;
    private final Vertx vertx;
    private final String redisUrl;

    StreamGroups(ReactiveRedisDataSource shared, RedisTrouble trouble, RedisRoundTrips roundTrips, Vertx vertx,
            @ConfigProperty(name = "quarkus.redis.hosts") List<String> redisHosts) {
        this.shared = shared;
        this.trouble = trouble;
        this.roundTrips = roundTrips;
        this.vertx = vertx;
        this.redisUrl = redisHosts.get(0);
    }

    /** On the connections requests share: for reads that do not block in Redis. */
    public StreamGroupConsumer shared(StreamGroup settings, StreamHandler handler) {
        return consumer(settings, shared, handler, () -> {
        });
    }

    /**
     * On a client of its own (2 connections to the first of {@code quarkus.redis.hosts}), closed when the consumer
     * stops: a read blocked in Redis never holds one of the connections requests share. Call when starting.
     */
    public StreamGroupConsumer ownClient(StreamGroup settings, StreamHandler handler) {
        io.vertx.mutiny.core.Vertx mutiny = io.vertx.mutiny.core.Vertx.newInstance(vertx);
        Redis client = Redis.createClient(mutiny, new RedisOptions()
                .setConnectionString(redisUrl)
                .setMaxPoolSize(2)
                .setMaxPoolWaiting(8));
        return consumer(settings, new ReactiveRedisDataSourceImpl(mutiny, client, RedisAPI.api(client)), handler,
                client::close);
    }

    private StreamGroupConsumer consumer(StreamGroup settings, ReactiveRedisDataSource redis, StreamHandler handler,
            Runnable close) {
        BoundedStreams streams = new BoundedStreams(redis.stream(String.class), settings.timeout(), trouble, roundTrips);
        return new StreamGroupConsumer(settings, streams, vertx, handler, close);
    }
}
