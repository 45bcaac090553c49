package io.microchatbot.turns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.api.TurnPaths;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.service.TurnConfig;
import io.microchatbot.service.TurnEvent;
import io.microchatbot.service.TurnFeed;
import io.microchatbot.service.TurnStart;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * A turn's events in a Redis stream of its own, {@code chatbot:turn:{<messageId>}:events}, entry {@code 0-<n>} for
 * the n-th event (the SSE {@code id} of the turn's own stream), fields {@code event} and {@code data} as the API
 * writes them. The stream expires {@code chatbot.turn.events-retention} after the terminal event (after the lease
 * and that, should the pod die first). Entries are written in order, at most one batch in flight per turn: events
 * that come while a batch is out go together in the next, one round trip however fast the provider streams. A
 * batch Redis fails ends the feed (later entries would leave a hole); followers then end on the stored reply.
 */
@ApplicationScoped
public class RedisTurnFeed implements TurnFeed {

    static final String OPERATION = "turn-feed";

    private final BoundedRedis redis;
    private final TurnEventJson json;
    private final TurnConfig config;

    RedisTurnFeed(BoundedRedis redis, TurnEventJson json, TurnConfig config) {
        this.redis = redis;
        this.json = json;
        this.config = config;
    }

    static String key(UUID messageId) {
        return "chatbot:turn:{" + messageId + "}:events";
    }

    /** The sequence number of an entry id {@code 0-<n>}. */
    static long sequence(String entryId) {
        return Long.parseLong(entryId.substring(entryId.indexOf('-') + 1));
    }

    @Override
    public Writer writer(TurnStart turn) {
        return new FeedWriter(key(turn.userMessage().id), TurnPaths.messages(turn.userMessage().conversationId),
                CorrelationId.current());
    }

    private final class FeedWriter implements Writer {
        private final String key;
        private final String instance;
        private final String correlationId;
        private final List<Request> pending = new ArrayList<>();
        private long sequence;
        private boolean sending;
        private boolean broken;

        FeedWriter(String key, String instance, String correlationId) {
            this.key = key;
            this.instance = instance;
            this.correlationId = correlationId;
        }

        @Override
        public void append(TurnEvent event) {
            appendAll(List.of(event));
        }

        /** The events in one batch (or in the next, while one is out); a single expiry when it ends the turn. */
        @Override
        public void appendAll(List<TurnEvent> events) {
            List<String> names = new ArrayList<>(events.size());
            List<String> data = new ArrayList<>(events.size());
            for (TurnEvent event : events) {
                names.add(TurnEventJson.name(event));
                data.add(json.data(event, instance, correlationId));
            }
            boolean ends = events.get(events.size() - 1).terminal();
            List<Request> batch;
            synchronized (this) {
                if (broken) {
                    return;
                }
                for (int i = 0; i < events.size(); i++) {
                    long n = ++sequence;
                    pending.add(Request.cmd(Command.XADD).arg(key).arg("0-" + n).arg("event").arg(names.get(i))
                            .arg("data").arg(data.get(i)));
                    if (n == 1 && !ends) {
                        pending.add(expiry(config.lease().plus(config.eventsRetention())));
                    }
                }
                if (ends) {
                    pending.add(expiry(config.eventsRetention()));
                }
                batch = next();
            }
            send(batch);
        }

        /** The batch to send now, or null while one is out (its answer sends what came meanwhile). */
        private List<Request> next() {
            if (sending || pending.isEmpty()) {
                return null;
            }
            sending = true;
            List<Request> batch = List.copyOf(pending);
            pending.clear();
            return batch;
        }

        private void send(List<Request> batch) {
            if (batch == null) {
                return;
            }
            redis.batch(OPERATION, batch).subscribe().with(answered -> sent(), failure -> broken());
        }

        private void sent() {
            List<Request> batch;
            synchronized (this) {
                sending = false;
                batch = next();
            }
            send(batch);
        }

        private synchronized void broken() {
            broken = true;
            sending = false;
            pending.clear();
        }

        private Request expiry(Duration after) {
            return Request.cmd(Command.PEXPIRE).arg(key).arg(after.toMillis());
        }
    }
}
