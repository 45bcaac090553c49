package io.microchatbot.event;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.microchatbot.redis.RedisConfig;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.redis.StreamEntry;
import io.microchatbot.redis.StreamGroup;
import io.microchatbot.redis.StreamGroupConsumer;
import io.microchatbot.redis.StreamGroups;
import io.microchatbot.redis.StreamHandler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Reads commands from the commands stream as one consumer of a consumer group (every replica is one), polling every
 * {@code chatbot.commands.poll-interval}, and hands them to the {@link CommandRunner}; a command that failed goes
 * to the dead-letter stream with its fields and its error. Commands left unacknowledged by a consumer that died are
 * taken over (XAUTOCLAIM) after {@code chatbot.commands.reclaim-after}; one that was delivered more often than the
 * attempts allow (it keeps killing its consumer) goes to the dead-letter stream unprocessed. While Redis fails,
 * polls back off from the poll interval, doubling up to {@code chatbot.redis.pause}. Used when Redis is the
 * transport.
 */
@ApplicationScoped
public class CommandConsumer implements StreamHandler {

    /** The dead-letter stream's length is measured every this many poll intervals (5 s at the default interval). */
    private static final int DEAD_LETTER_EVERY = 25;

    private final CommandRunner runner;
    private final CommandsConfig config;
    private final EventsConfig events;
    private final Vertx vertx;
    private final StreamGroupConsumer stream;
    private volatile long measuring = -1;
    private volatile long deadLetters;

    CommandConsumer(CommandRunner runner, StreamGroups groups, CommandsConfig config, EventsConfig events,
            RedisConfig redis, Vertx vertx, MeterRegistry registry) {
        this.runner = runner;
        this.config = config;
        this.events = events;
        this.vertx = vertx;
        this.stream = groups.shared(new StreamGroup("commands", this.config.stream(), this.config.group(), "0",
                this.config.batch(), Duration.ZERO, this.config.pollInterval(), this.config.reclaimAfter(),
                redis.commandTimeout(), new StreamGroup.Backoff(this.config.pollInterval(), redis.pause()), false), this);
        Gauge.builder("chatbot.commands.dead.letter.length", () -> deadLetters)
                .description("Entries in the dead-letter stream, as last measured (Redis transport)")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled() && events.transport() == EventsTransport.redis) {
            stream.start();
            measuring = Periodic.every(vertx, config.pollInterval().multipliedBy(DEAD_LETTER_EVERY),
                    "Dead-letter measuring", this::measureDeadLetters);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(measuring);
        stream.stop();
    }

    @Override
    public int room() {
        return runner.room();
    }

    @Override
    public Uni<Void> handle(List<StreamEntry> entries) {
        entries.forEach(entry -> runner.run(new StreamCommand(entry)));
        return Uni.createFrom().voidItem();
    }

    /** A command delivered more often than it may be attempted goes to the dead-letter stream unprocessed. */
    @Override
    public Uni<Void> handleTakenOver(List<StreamEntry> entries) {
        return Multi.createFrom().iterable(entries)
                .onItem().transformToUniAndConcatenate(entry -> stream.deliveries(entry.id())
                        .invoke(count -> {
                            if (count > config.maxAttempts()) {
                                runner.refuse(new StreamCommand(entry), "too_many_deliveries", "Delivered " + count
                                        + " times without being acknowledged; its consumer may crash on it", count);
                            } else {
                                runner.run(new StreamCommand(entry));
                            }
                        }))
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<Void> measureDeadLetters() {
        return stream.call("commands-dead-letter-length", streams -> streams.xlen(config.deadLetterStream()))
                .invoke(length -> deadLetters = length == null ? 0 : length)
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }

    /** A command read from the stream: acknowledged with XACK, dead-lettered with XADD to the dead-letter stream. */
    private final class StreamCommand implements CommandDelivery {
        private final StreamEntry entry;

        StreamCommand(StreamEntry entry) {
            this.entry = entry;
        }

        @Override
        public String id() {
            return config.stream() + " " + entry.id();
        }

        @Override
        public String command() {
            return entry.fields().get("command");
        }

        @Override
        public Uni<Void> acknowledge() {
            return stream.acknowledge(List.of(entry));
        }

        /** The entry's own fields as written (the command and whatever else its producer added), then the error. */
        @Override
        public Uni<Void> deadLetter(Map<String, String> failure) {
            Map<String, String> fields = new LinkedHashMap<>(entry.fields());
            fields.put("error", failure.get("error"));
            fields.put("detail", failure.get("detail"));
            fields.put("attempts", failure.get("attempts"));
            fields.put("sourceStream", config.stream());
            fields.put("sourceId", entry.id());
            fields.put("failedAt", failure.get("failedAt"));
            return stream.call("commands-dead-letter", streams -> streams.xadd(config.deadLetterStream(),
                    new XAddArgs().maxlen(100_000L).nearlyExactTrimming(), fields))
                    .chain(this::acknowledge);
        }
    }
}
