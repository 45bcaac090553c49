package io.microchatbot.event;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.redis.StreamEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Reads commands from the commands stream as one consumer of a consumer group (every replica is one), carries each
 * out on a context of its own ({@link CommandHandler}), then acknowledges it. A command failing for a passing
 * reason is tried again with doubling delays, up to {@code chatbot.commands.max-attempts}; a permanent failure, or
 * the last attempt, moves it to the dead-letter stream with its error. Commands left unacknowledged by a consumer
 * that died are taken over (XAUTOCLAIM) after {@code chatbot.commands.reclaim-after}; one that was delivered more
 * often than the attempts allow (it keeps killing its consumer) goes to the dead-letter stream unprocessed.
 */
@ApplicationScoped
public class CommandConsumer {

    /** The dead-letter stream's length is measured every this many polls (5 s at the default interval). */
    private static final int DEAD_LETTER_EVERY = 25;

    /** Commands carried out at once by this replica; a turn holds its place until its reply is stored. */
    static final int MAX_IN_FLIGHT = 64;

    private final CommandHandler handler;
    private final BoundedRedis redis;
    private final ChatbotConfig.Commands config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final String consumer = StreamEntry.consumerName("commands");
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean groupReady;
    private volatile boolean stopping;
    private volatile long timer = -1;
    private final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();
    private volatile long deadLetters;

    CommandConsumer(CommandHandler handler, BoundedRedis redis, ChatbotConfig config, Vertx vertx,
            MeterRegistry registry) {
        this.handler = handler;
        this.redis = redis;
        this.config = config.commands();
        this.vertx = vertx;
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("chatbot.commands.dead.letter.length", () -> deadLetters)
                .description("Entries in the dead-letter stream, as last measured")
                .register(registry);
    }

    private void measureDeadLetters() {
        redis.send("commands-dead-letter-length", Request.cmd(Command.XLEN).arg(config.deadLetterStream()))
                .subscribe().with(length -> deadLetters = length == null ? 0 : length.toLong(), failure -> {
                });
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = Periodic.every(vertx, config.pollInterval(), "Command polling", this::poll);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        vertx.cancelTimer(timer);
    }

    Uni<Void> poll() {
        if (polls.incrementAndGet() % DEAD_LETTER_EVERY == 0) {
            measureDeadLetters();
        }
        int room = MAX_IN_FLIGHT - inFlight.get();
        if (stopping || room <= 0) {
            return Uni.createFrom().voidItem();
        }
        return ensureGroup()
                .chain(() -> redis.send("commands-read", Request.cmd(Command.XREADGROUP)
                        .arg("GROUP").arg(config.group()).arg(consumer)
                        .arg("COUNT").arg(Math.min(room, config.batch()))
                        .arg("STREAMS").arg(config.stream()).arg(">")))
                .invoke(answer -> StreamEntry.list(ofStream(answer)).forEach(this::dispatch))
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }

    /** Takes over commands another consumer left unacknowledged for too long (its pod died mid-command). */
    @Scheduled(identity = "command-reclaim", every = "${chatbot.commands.reclaim-after:5m}", delayed = "1s", concurrentExecution = ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> reclaim() {
        if (stopping || !groupReady) {
            return Uni.createFrom().voidItem();
        }
        return redis.send("commands-reclaim", Request.cmd(Command.XAUTOCLAIM).arg(config.stream()).arg(config.group())
                .arg(consumer).arg(config.reclaimAfter().toMillis()).arg("0-0").arg("COUNT").arg(config.batch()))
                .map(answer -> StreamEntry.list(answer.get(1)))
                .call(this::dispatchReclaimed)
                .onFailure(RedisUnavailable.class).recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> ensureGroup() {
        if (groupReady) {
            return Uni.createFrom().voidItem();
        }
        return redis.send("commands-group", Request.cmd(Command.XGROUP).arg("CREATE").arg(config.stream())
                .arg(config.group()).arg("0").arg("MKSTREAM"), "BUSYGROUP", null)
                .replaceWithVoid()
                .invoke(() -> groupReady = true);
    }

    private Uni<Void> dispatchReclaimed(List<StreamEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Log.infof("Took over %d command(s) left unacknowledged by another consumer", entries.size());
        return io.smallrye.mutiny.Multi.createFrom().iterable(entries)
                .onItem().transformToUniAndConcatenate(entry -> deliveries(entry.id())
                        .invoke(count -> {
                            if (count > config.maxAttempts()) {
                                onFreshContext(() -> deadLetter(entry, "too_many_deliveries", "Delivered " + count
                                        + " times without being acknowledged; its consumer may crash on it", count.intValue()));
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
                .chain(() -> acknowledge(entry))
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
        Request request = Request.cmd(Command.XADD).arg(config.deadLetterStream()).arg("MAXLEN").arg("~").arg(100_000)
                .arg("*");
        entry.fields().forEach((field, value) -> request.arg(field).arg(value));
        request.arg("error").arg(code)
                .arg("detail").arg(detail == null ? "" : detail)
                .arg("attempts").arg(attempts)
                .arg("sourceStream").arg(config.stream())
                .arg("sourceId").arg(entry.id())
                .arg("failedAt").arg(Instant.now().toString());
        return redis.send("commands-dead-letter", request)
                .chain(() -> acknowledge(entry))
                .invoke(() -> count("dead_lettered"))
                // Not acknowledged if the dead letter could not be written: it stays pending and is taken over later.
                .onFailure(RedisUnavailable.class).recoverWithNull();
    }

    private Uni<Void> acknowledge(StreamEntry entry) {
        return redis.send("commands-ack", Request.cmd(Command.XACK).arg(config.stream()).arg(config.group())
                .arg(entry.id()))
                .replaceWithVoid();
    }

    private Uni<Long> deliveries(String id) {
        return redis.send("commands-pending", Request.cmd(Command.XPENDING).arg(config.stream()).arg(config.group())
                .arg(id).arg(id).arg(1))
                .map(answer -> answer.size() == 0 ? 1L : answer.get(0).get(3).toLong());
    }

    private Uni<Void> delay(long millis) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> vertx.setTimer(Math.max(1, millis),
                id -> context.runOnContext(ignored -> emitter.complete(null))));
    }

    private void onFreshContext(java.util.function.Supplier<Uni<Void>> work) {
        Periodic.onFreshContext(vertx, "A command", work);
    }

    private void count(String outcome) {
        Counter.builder("chatbot.commands")
                .description("Commands read from the commands stream, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** XREADGROUP answers a map by stream name (RESP3) or a list of [name, entries] (RESP2); nil when empty. */
    private Response ofStream(Response answer) {
        if (answer == null) {
            return null;
        }
        try {
            Response byName = answer.get(config.stream());
            if (byName != null) {
                return byName;
            }
        } catch (RuntimeException notAMap) {
            // RESP2: a list.
        }
        return answer.get(0).get(1);
    }

    /** Skips both jobs when commands are turned off. */
    @ApplicationScoped
    public static class Disabled implements Scheduled.SkipPredicate {

        private final boolean disabled;

        Disabled(ChatbotConfig config) {
            this.disabled = !config.commands().enabled();
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return disabled;
        }
    }
}
