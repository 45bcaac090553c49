package io.microchatbot.service;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.MessageStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Turns as Prometheus sees them: {@code chatbot_turns_total{mode,status}} per stored reply,
 * {@code chatbot_streams_active}, {@code chatbot_conversations_created_total} and
 * {@code chatbot_structured_repairs_total}.
 */
@ApplicationScoped
public class TurnMetrics {

    public static final String JSON = "json";
    public static final String STREAM = "stream";

    private final MeterRegistry registry;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Counter conversationsCreated;
    private final Counter repairsAttempted;

    TurnMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("chatbot.streams.active", activeStreams, AtomicInteger::get)
                .description("Streamed turns whose events are being sent on this pod")
                .register(registry);
        this.conversationsCreated = Counter.builder("chatbot.conversations.created")
                .description("Conversations opened (by HTTP or command)")
                .register(registry);
        this.repairsAttempted = Counter.builder("chatbot.structured.repairs")
                .description("Replies asked again because they did not match the turn's response format")
                .register(registry);
    }

    void repairAttempted() {
        repairsAttempted.increment();
    }

    void replyStored(String mode, MessageStatus status) {
        Counter.builder("chatbot.turns")
                .description("Turns whose reply was stored, by how they were answered and how the reply ended")
                .tag("mode", mode)
                .tag("status", status.name())
                .register(registry)
                .increment();
    }

    void streamStarted() {
        activeStreams.incrementAndGet();
    }

    void streamEnded() {
        activeStreams.decrementAndGet();
    }

    void conversationCreated() {
        conversationsCreated.increment();
    }
}
