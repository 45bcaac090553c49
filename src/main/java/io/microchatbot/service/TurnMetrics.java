package io.microchatbot.service;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.MessageStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Turns as Prometheus sees them: {@code chatbot_turns_total{mode,status}} per stored reply,
 * {@code chatbot_streams_active} and {@code chatbot_conversations_created_total}.
 */
@ApplicationScoped
public class TurnMetrics {

    public static final String JSON = "json";
    public static final String STREAM = "stream";

    private final MeterRegistry registry;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Counter conversationsCreated;

    TurnMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("chatbot.streams.active", activeStreams, AtomicInteger::get)
                .description("Streamed turns whose events are being sent on this pod")
                .register(registry);
        this.conversationsCreated = Counter.builder("chatbot.conversations.created")
                .description("Conversations opened (by HTTP or command)")
                .register(registry);
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
