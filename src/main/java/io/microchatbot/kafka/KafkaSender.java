package io.microchatbot.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The service's one Kafka producer, made on first use (a pod on the Redis transport never connects). Records are
 * handed to it in order from one thread of its own, because a send waits for the topic's metadata (up to
 * {@code max.block.ms}) and must never block an event loop; a batch completes, on the caller's context, once the
 * broker acknowledged every record of it, or fails at the first one it did not.
 */
@ApplicationScoped
public class KafkaSender {

    private final KafkaClients clients;
    private final ExecutorService sending = Executors.newSingleThreadExecutor(Thread.ofPlatform()
            .name("kafka-sender").daemon().factory());
    private KafkaProducer<String, String> producer;

    KafkaSender(KafkaClients clients) {
        this.clients = clients;
    }

    /** Sends the records in this order; the idempotent producer keeps that order per partition, retries included. */
    public Uni<Void> sendAll(List<ProducerRecord<String, String>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Context caller = Vertx.currentContext();
        return Uni.createFrom().<Void> emitter(emitter -> sending.execute(() -> send(records, emitter, caller)));
    }

    public Uni<Void> send(ProducerRecord<String, String> record) {
        return sendAll(List.of(record));
    }

    private void send(List<ProducerRecord<String, String>> records, UniEmitter<? super Void> emitter, Context caller) {
        AtomicInteger unacknowledged = new AtomicInteger(records.size());
        AtomicBoolean failed = new AtomicBoolean();
        try {
            KafkaProducer<String, String> current = producer();
            for (ProducerRecord<String, String> record : records) {
                current.send(record, (metadata, failure) -> {
                    if (failure != null) {
                        if (failed.compareAndSet(false, true)) {
                            dropIfBroken(current, failure);
                            on(caller, () -> emitter.fail(new KafkaUnavailable("Kafka did not acknowledge a record of "
                                    + record.topic(), failure)));
                        }
                    } else if (unacknowledged.decrementAndGet() == 0 && !failed.get()) {
                        on(caller, () -> emitter.complete(null));
                    }
                });
            }
        } catch (RuntimeException refused) {
            if (failed.compareAndSet(false, true)) {
                on(caller, () -> emitter.fail(new KafkaUnavailable("Kafka refused a record", refused)));
            }
        }
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(clients.producer("micro-chatbot-service"));
        }
        return producer;
    }

    /** A producer that failed for a reason other than a passing one (fenced, refused, misconfigured) is made anew. */
    private synchronized void dropIfBroken(KafkaProducer<String, String> failed, Exception failure) {
        if (!(failure instanceof RetriableException) && producer == failed) {
            Log.warnf("The Kafka producer failed for good (%s); the next send makes a new one", failure.toString());
            producer = null;
            sending.execute(() -> failed.close(Duration.ZERO));
        }
    }

    private static void on(Context caller, Runnable action) {
        if (caller == null) {
            action.run();
        } else {
            caller.runOnContext(ignored -> action.run());
        }
    }

    /** Waits a little for records still being sent; what is not acknowledged by then is sent again by its owner. */
    void close(@Observes ShutdownEvent event) {
        sending.execute(() -> {
            synchronized (this) {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(5));
                    producer = null;
                }
            }
        });
        sending.shutdown();
    }
}
