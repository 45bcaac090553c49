package io.microchatbot.event;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.redis.RedisConfig;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.redis.StreamEntry;
import io.microchatbot.redis.StreamGroup;
import io.microchatbot.redis.StreamGroupConsumer;
import io.microchatbot.redis.StreamGroups;
import io.microchatbot.redis.StreamHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Reads commands from the commands stream as one consumer of a consumer group (every replica is one), polling every
 * {@code chatbot.commands.poll-interval}; carries each out on a context of its own ({@link CommandHandler}), then
 * acknowledges it. A command failing for a passing reason is tried again with doubling delays, up to
 * {@code chatbot.commands.max-attempts}; a permanent failure, or the last attempt, moves it to the dead-letter stream
 * with its error. Commands left unacknowledged by a consumer that died are taken over (XAUTOCLAIM) after
 * {@code chatbot.commands.reclaim-after}; one that was delivered more often than the attempts allow (it keeps killing
 * its consumer) goes to the dead-letter stream unprocessed. While Redis fails, polls back off from the poll interval,
 * doubling up to {@code chatbot.redis.pause}.
 */
@ApplicationScoped
public class CommandConsumer implements StreamHandler {

    /** The dead-letter stream's length is measured every this many poll intervals (5 s at the default interval). */
    private static final int DEAD_LETTER_EVERY = 25;

    /** Commands carried out at once by this replica; a turn holds its place until its reply is stored. */
    static final int MAX_IN_FLIGHT = 64;

    private final CommandHandler handler;
    private final CommandsConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final StreamGroupConsumer stream;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long measuring = -1;
    private volatile long deadLetters;

    CommandConsumer(CommandHandler handler, StreamGroups groups, CommandsConfig config, RedisConfig redis, Vertx vertx,
            MeterRegistry registry) {
        this.handler = handler;
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
        this.stream = groups.shared(new StreamGroup("commands", this.config.stream(), this.config.group(), "0",
                this.config.batch(), Duration.ZERO, this.config.pollInterval(), this.config.reclaimAfter(),
                redis.commandTimeout(), new StreamGroup.Backoff(this.config.pollInterval(), redis.pause()), false), this);
        Gauge.builder("chatbot.commands.dead.letter.length", () -> deadLetters)
                .description("Entries in the dead-letter stream, as last measured")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
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
        return MAX_IN_FLIGHT - inFlight.get();
    }

    @Override
    public Uni<Void> handle(List<StreamEntry> entries) {
        entries.forEach(this::dispatch);
        return Uni.createFrom().voidItem();
    }

    /** A command delivered more often than it may be attempted goes to the dead-letter stream unprocessed. */
    @Override
    public Uni<Void> handleTakenOver(List<StreamEntry> entries) {
        return Multi.createFrom().iterable(entries)
                .onItem().transformToUniAndConcatenate(entry -> stream.deliveries(entry.id())
                        .invoke(count -> {
                            if (count > config.maxAttempts()) {
                                onFreshContext(() -> deadLetter(entry, "too_many_deliveries", "Delivered " + count
                                        + " times without being acknowledged; its consumer may crash on it", count));
                            } else {
                                dispatch(entry);
                            }
                        }))
                .collect().last()
                .replaceWithVoid();
    }

    /** Runs the entry on a fresh context, so that concurrent commands never share a database session. */
    private void dispatch(StreamEntry entry) {
        inFlight.incrementAndGet();
        onFreshContext(() -> process(entry)
                .onTermination().invoke(inFlight::decrementAndGet));
    }

    private Uni<Void> process(StreamEntry entry) {
        CommandEnvelope command;
        try {
            command = handler.parse(entry.fields().get("command"));
        } catch (CommandFailure invalid) {
            return deadLetter(entry, invalid.code(), invalid.getMessage(), 1);
        }
        MDC.put(CorrelationId.MDC_KEY, command.correlationId() != null ? command.correlationId() : command.commandId());
        return attempt(entry, command, 1);
    }

    private Uni<Void> attempt(StreamEntry entry, CommandEnvelope command, int attempt) {
        return handler.handle(command)
                .chain(() -> stream.acknowledge(List.of(entry)))
                .invoke(() -> count("done"))
                .onFailure(CommandFailure.class).recoverWithUni(failure -> {
                    CommandFailure why = (CommandFailure) failure;
                    if (why.permanent() || attempt >= config.maxAttempts()) {
                        return deadLetter(entry, why.code(), why.getMessage(), attempt);
                    }
                    count("retried");
                    return delay(config.retryDelay().toMillis() << (attempt - 1))
                            .chain(() -> attempt(entry, command, attempt + 1));
                });
    }

    private Uni<Void> deadLetter(StreamEntry entry, String code, String detail, int attempts) {
        Log.warnf("Command %s moved to %s after %d attempt(s): %s (%s)", entry.id(), config.deadLetterStream(), attempts,
                code, detail);
        // The entry's own fields as written (the command and whatever else its producer added), then the error.
        Map<String, String> fields = new LinkedHashMap<>(entry.fields());
        fields.put("error", code);
        fields.put("detail", detail == null ? "" : detail);
        fields.put("attempts", String.valueOf(attempts));
        fields.put("sourceStream", config.stream());
        fields.put("sourceId", entry.id());
        fields.put("failedAt", Instant.now().toString());
        return stream.call("commands-dead-letter", streams -> streams.xadd(config.deadLetterStream(),
                new XAddArgs().maxlen(100_000L).nearlyExactTrimming(), fields))
                .chain(() -> stream.acknowledge(List.of(entry)))
                .invoke(() -> count("dead_lettered"))
                // Not acknowledged if the dead letter could not be written: it stays pending and is taken over later.
                .onFailure(RedisUnavailable.class).recoverWithNull();
    }

    private Uni<Void> measureDeadLetters() {
        return stream.call("commands-dead-letter-length", streams -> streams.xlen(config.deadLetterStream()))
                .invoke(length -> deadLetters = length == null ? 0 : length)
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> delay(long millis) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> vertx.setTimer(Math.max(1, millis),
                id -> context.runOnContext(ignored -> emitter.complete(null))));
    }

    private void onFreshContext(Supplier<Uni<Void>> work) {
        Periodic.onFreshContext(vertx, "A command", work);
    }

    private void count(String outcome) {
        Counter.builder("chatbot.commands")
                .description("Commands read from the commands stream, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
