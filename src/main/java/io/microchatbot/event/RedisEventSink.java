package io.microchatbot.event;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.RedisUnavailable;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/** Publishes to the events stream: all XADDs of a batch pipelined in one round trip, trimmed to max-length. */
@ApplicationScoped
class RedisEventSink implements EventSink {

    private final BoundedRedis redis;
    private final EventsConfig config;

    RedisEventSink(BoundedRedis redis, EventsConfig config) {
        this.redis = redis;
        this.config = config;
    }

    @Override
    public Uni<Void> publish(List<PendingEvent> events) {
        return redis.batch("outbox-relay", events.stream().map(this::xadd).toList())
                .replaceWithVoid()
                .onFailure(RedisUnavailable.class).transform(EventSinkUnavailable::new);
    }

    @Override
    public String describe() {
        return "redis stream " + config.stream();
    }

    private Request xadd(PendingEvent event) {
        return Request.cmd(Command.XADD).arg(config.stream())
                .arg("MAXLEN").arg("~").arg(config.maxLength()).arg("*")
                .arg("eventType").arg(event.eventType())
                .arg("eventId").arg(event.eventId().toString())
                .arg("tenantId").arg(event.tenantId())
                .arg("conversationId").arg(event.conversationId() == null ? "" : event.conversationId().toString())
                .arg("envelope").arg(event.envelope());
    }
}
