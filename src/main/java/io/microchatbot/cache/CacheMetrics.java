package io.microchatbot.cache;

import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Hit, miss and error counts per cache namespace, as Micrometer counters {@value #NAME} (label {@code cache}). */
@ApplicationScoped
public class CacheMetrics {

    static final String NAME = "chatbot.cache.requests";

    public enum Result {
        hit,
        miss,
        error
    }

    private final MeterRegistry registry;

    CacheMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(String namespace, Result result) {
        counter(namespace, result).increment();
    }

    /** Every namespace counted so far, with its counts since start. */
    public Map<String, NamespaceStats> stats() {
        Map<String, long[]> counts = new TreeMap<>();
        registry.find(NAME).counters().forEach(counter -> {
            long[] row = counts.computeIfAbsent(counter.getId().getTag("cache"), ns -> new long[3]);
            row[Result.valueOf(counter.getId().getTag("result")).ordinal()] += (long) counter.count();
        });
        Map<String, NamespaceStats> stats = new TreeMap<>();
        counts.forEach((namespace, row) -> stats.put(namespace, new NamespaceStats(row[0], row[1], row[2])));
        return stats;
    }

    private Counter counter(String namespace, Result result) {
        return Counter.builder(NAME)
                .description("Cache lookups by namespace and result (an error counts as a miss served by PostgreSQL)")
                // "cache", not "namespace": Prometheus would rename that one, it is the Kubernetes namespace's label.
                .tag("cache", namespace)
                .tag("result", result.name())
                .register(registry);
    }

    /** Counts of one namespace; the hit rate is over all lookups, errors included (0 when none). */
    public record NamespaceStats(long hits, long misses, long errors) {
        public double hitRate() {
            long total = hits + misses + errors;
            return total == 0 ? 0 : (double) hits / total;
        }
    }
}
