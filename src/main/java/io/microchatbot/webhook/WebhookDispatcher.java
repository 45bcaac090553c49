package io.microchatbot.webhook;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Sends due deliveries. Every {@code chatbot.webhooks.poll-interval} (and at once while a backlog lasts) it claims
 * as many as it has room for ({@code concurrency} attempts at once), sends each, and records each outcome: delivered
 * on a 2xx, else tried again after {@link RetrySchedule}'s delay or, after the last attempt, failed. Runs on every
 * replica: a claim skips the rows another replica is claiming, and a claimed delivery is not due again until its
 * attempt has had time to end, so each attempt is made by one replica. Deliveries are not ordered.
 */
@ApplicationScoped
public class WebhookDispatcher {

    /** A claim lasts the attempt's timeout and this, for recording the outcome; then another replica may retry. */
    static final Duration CLAIM_MARGIN = Duration.ofSeconds(30);

    private final DeliveryQueue queue;
    private final WebhookSender sender;
    private final RetrySchedule retries;
    private final WebhooksConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private volatile boolean backlog;
    private volatile boolean claimsFailing;
    private volatile boolean stopping;
    private long timer = -1;

    WebhookDispatcher(DeliveryQueue queue, WebhookSender sender, WebhooksConfig config, Vertx vertx,
            MeterRegistry registry) {
        this.queue = queue;
        this.sender = sender;
        this.retries = new RetrySchedule(config);
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(Math.max(1, config.pollInterval().toMillis()), id -> poll());
        }
    }

    /** No new claims; attempts under way end on their own, and an unrecorded one is retried once its claim expires. */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        vertx.cancelTimer(timer);
    }

    /** Claims as many due deliveries as there is room for and starts them; never two claims at once. */
    void poll() {
        int room = Math.min(config.batch(), config.concurrency() - inFlight.get());
        if (stopping || room <= 0 || !claiming.compareAndSet(false, true)) {
            return;
        }
        queue.claim(room, config.timeout().plus(CLAIM_MARGIN))
                .onTermination().invoke(() -> claiming.set(false))
                .subscribe().with(
                        claimed -> {
                            claimsWork();
                            backlog = claimed.size() == room;
                            claimed.forEach(this::attempt);
                        },
                        this::claimsFail);
    }

    private void attempt(ClaimedDelivery delivery) {
        inFlight.incrementAndGet();
        sender.send(delivery)
                .call(outcome -> queue.record(delivery, outcome, retryAfter(delivery, outcome)))
                .onTermination().invoke(() -> {
                    inFlight.decrementAndGet();
                    if (backlog) {
                        poll();
                    }
                })
                .subscribe().with(
                        outcome -> count(delivery, outcome),
                        failure -> Log.warnf("The outcome of webhook delivery %s could not be recorded; it is tried"
                                + " again once its claim expires: %s", delivery.id(), failure.getMessage()));
    }

    /** Null when there is no next attempt: delivered, or this was the last one. */
    private Duration retryAfter(ClaimedDelivery delivery, AttemptOutcome outcome) {
        if (outcome.delivered() || retries.exhausted(delivery.attempt())) {
            return null;
        }
        return retries.delayAfter(delivery.attempt());
    }

    private void count(ClaimedDelivery delivery, AttemptOutcome outcome) {
        String result = outcome.delivered() ? "delivered" : retries.exhausted(delivery.attempt()) ? "failed" : "retry";
        if (result.equals("failed")) {
            Log.infof("Webhook delivery %s failed after %d attempts: %s", delivery.id(), delivery.attempt(),
                    outcome.error());
        }
        Counter.builder("chatbot.webhooks.attempts")
                .description("Webhook delivery attempts, by result (delivered, retry, failed: the last one failed)")
                .tag("result", result)
                .register(registry)
                .increment();
    }

    private void claimsWork() {
        if (claimsFailing) {
            claimsFailing = false;
            Log.info("Webhook deliveries are claimed again");
        }
    }

    /** Logged once until claims work again: the timer tries again every poll-interval. */
    private void claimsFail(Throwable failure) {
        if (!claimsFailing && !stopping) {
            claimsFailing = true;
            Log.warnf("Webhook deliveries cannot be claimed, trying again every %d ms: %s",
                    config.pollInterval().toMillis(), failure.getMessage());
        }
    }
}
