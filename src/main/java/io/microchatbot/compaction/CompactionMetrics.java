package io.microchatbot.compaction;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code chatbot_compactions_total{outcome}}, and {@code chatbot_context_trimmed_total}: turns whose prompt left
 * older messages out with no summary standing for them (compaction off, not done yet, or failed).
 */
@Startup // its counters are there, at zero, before the first turn
@ApplicationScoped
public class CompactionMetrics {

    private final MeterRegistry registry;
    private final Counter trimmed;

    CompactionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.trimmed = Counter.builder("chatbot.context.trimmed")
                .description("Turns whose prompt left out older messages that no summary stands for")
                .register(registry);
        for (CompactionOutcome outcome : CompactionOutcome.values()) {
            counter(outcome);
        }
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
