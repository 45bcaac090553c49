package io.microchatbot.compaction;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code chatbot_compactions_total{outcome}}, {@code chatbot_compactions_in_progress} (summaries this pod is writing or
 * waiting to store), and {@code chatbot_context_trimmed_total}: turns whose prompt left
 * older messages out with no summary standing for them (compaction off, not done yet, or failed).
 */
@Startup // its counters are there, at zero, before the first turn
@ApplicationScoped
public class CompactionMetrics {

    private final MeterRegistry registry;
    private final Counter trimmed;
    private volatile Set<?> writing = Set.of();

    CompactionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.trimmed = Counter.builder("chatbot.context.trimmed")
                .description("Turns whose prompt left out older messages that no summary stands for")
                .register(registry);
        Gauge.builder("chatbot.compactions.in.progress", () -> writing.size())
                .description("Summaries this pod is writing or waiting to store")
                .register(registry);
        for (CompactionOutcome outcome : CompactionOutcome.values()) {
            counter(outcome);
        }
    }

    /** Reports the summaries this pod is writing or waiting to store (none until the compactor is first used). */
    void inProgress(Set<?> writing) {
        this.writing = writing;
    }

    public void trimmed() {
        trimmed.increment();
    }

    void ended(CompactionOutcome outcome) {
        counter(outcome).increment();
    }

    private Counter counter(CompactionOutcome outcome) {
        return Counter.builder("chatbot.compactions")
                .description("History compactions, by how they ended")
                .tag("outcome", outcome.name())
                .register(registry);
    }
}
