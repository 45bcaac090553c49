package io.microchatbot.observability;

import java.time.Duration;
import java.util.Arrays;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Fixed histogram buckets for HTTP server requests, chosen around the SLOs (docs/slos.md: 50 ms for non-LLM
 * requests), so that p50/p95/p99 and "share under 50 ms" can be computed across pods.
 */
@Singleton
public class SloBuckets {

    static final Duration[] HTTP = { Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120) };

    @Produces
    @Singleton
    MeterFilter httpServerBuckets() {
        double[] nanos = Arrays.stream(HTTP).mapToDouble(Duration::toNanos).toArray();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!"http.server.requests".equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
