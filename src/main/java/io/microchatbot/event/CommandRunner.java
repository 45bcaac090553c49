package io.microchatbot.event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.MDC;

import io.microchatbot.correlation.CorrelationId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Carries out commands whichever transport delivered them, each on a context of its own ({@link CommandHandler}),
 * up to {@link #MAX_IN_FLIGHT} at once: acknowledged when done; tried again with doubling delays while it fails for
 * a passing reason, up to {@code chatbot.commands.max-attempts}; moved to the dead letters with its error when it
 * fails for good or runs out of attempts.
 */
@ApplicationScoped
class CommandRunner {

    /** Commands carried out at once by this replica; a turn holds its place until its reply is stored. */
    static final int MAX_IN_FLIGHT = 64;

    private final CommandHandler handler;
    private final CommandsConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    CommandRunner(CommandHandler handler, CommandsConfig config, Vertx vertx, MeterRegistry registry) {
        this.handler = handler;
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
    }

    int room() {
        return MAX_IN_FLIGHT - inFlight.get();
    }

    /** Runs the command on a fresh context, so that concurrent commands never share a database session. */
    void run(CommandDelivery delivery) {
        inFlight.incrementAndGet();
        onFreshContext(() -> process(delivery).onTermination().invoke(inFlight::decrementAndGet));
    }

    /** Moves a command to the dead letters without running it (it was delivered too often). */
    void refuse(CommandDelivery delivery, String code, String detail, int attempts) {
        onFreshContext(() -> deadLetter(delivery, code, detail, attempts));
    }

    private Uni<Void> process(CommandDelivery delivery) {
        CommandEnvelope command;
        try {
            command = handler.parse(delivery.command());
        } catch (CommandFailure invalid) {
            return deadLetter(delivery, invalid.code(), invalid.getMessage(), 1);
        }
        MDC.put(CorrelationId.MDC_KEY, command.correlationId() != null ? command.correlationId() : command.commandId());
        return attempt(delivery, command, 1);
    }

    private Uni<Void> attempt(CommandDelivery delivery, CommandEnvelope command, int attempt) {
        return handler.handle(command)
                .chain(delivery::acknowledge)
                .invoke(() -> count("done"))
                .onFailure(CommandFailure.class).recoverWithUni(failure -> {
                    CommandFailure why = (CommandFailure) failure;
                    if (why.permanent() || attempt >= config.maxAttempts()) {
                        return deadLetter(delivery, why.code(), why.getMessage(), attempt);
                    }
                    count("retried");
                    return delay(config.retryDelay().toMillis() << (attempt - 1))
                            .chain(() -> attempt(delivery, command, attempt + 1));
                });
    }

    private Uni<Void> deadLetter(CommandDelivery delivery, String code, String detail, int attempts) {
        Log.warnf("Command %s moved to the dead letters after %d attempt(s): %s (%s)", delivery.id(), attempts, code,
                detail);
        Map<String, String> failure = new LinkedHashMap<>();
        failure.put("error", code);
        failure.put("detail", detail == null ? "" : detail);
        failure.put("attempts", String.valueOf(attempts));
        failure.put("failedAt", Instant.now().toString());
        return delivery.deadLetter(failure)
                .invoke(() -> count("dead_lettered"))
                .onFailure().invoke(notWritten -> Log.warnf("Command %s could not be dead-lettered and is delivered"
                        + " again later: %s", delivery.id(), notWritten.getMessage()))
                .onFailure().recoverWithNull();
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
                .description("Commands read from the commands stream or topic, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
