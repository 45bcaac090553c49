package io.microchatbot.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microchatbot.idempotency.IdempotencyConfig;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.service.TurnConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The service's own time limits in production, as the mesh must respect them: read through the service's config
 * mappings ({@code LlmConfig}, {@code TurnConfig}, {@code IdempotencyConfig}) over the profile-less keys of
 * src/main/resources/application.properties, so a changed default or property shows up here.
 */
record ServiceTimeouts(
        Duration llmTimeout,
        Duration firstTokenTimeout,
        Duration streamMaxDuration,
        int llmMaxRetries,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        Duration retryJitter,
        Duration turnLease,
        Duration cancelWait,
        Duration idempotencyLockTimeout,
        Duration shutdownDelay,
        Duration shutdownTimeout,
        Duration shutdownGrace) {

    static final Path PROPERTIES = DeployFiles.ROOT.resolve("src/main/resources/application.properties");

    static ServiceTimeouts read() {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The service's own mappings over application.properties alone (no profile, no environment): the values a
        // production pod starts with unless its deployment overrides them.
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(props, PROPERTIES.toString(), 100))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LlmConfig.class)
                .withMapping(TurnConfig.class)
                .withMapping(IdempotencyConfig.class)
                .withValidateUnknown(false)
                .build();
        LlmConfig llm = config.getConfigMapping(LlmConfig.class);
        TurnConfig turn = config.getConfigMapping(TurnConfig.class);
        return new ServiceTimeouts(
                llm.timeout(),
                llm.firstTokenTimeout(),
                llm.streamMaxDuration(),
                llm.retry().maxRetries(),
                llm.retry().initialDelay(),
                llm.retry().maxDelay(),
                llm.retry().jitter(),
                turn.lease(),
                turn.cancelWait(),
                config.getConfigMapping(IdempotencyConfig.class).lockTimeout(),
                // Quarkus' own keys: no default of ours to fall back on, application.properties must set them.
                parseDuration(required(props, "quarkus.shutdown.delay")),
                parseDuration(required(props, "quarkus.shutdown.timeout")),
                turn.shutdownGrace());
    }

    /** The longest a turn keeps its HTTP request open: a whole stream, plus the drain of a pod being stopped. */
    Duration longestTurn() {
        return streamMaxDuration.plus(shutdownTimeout);
    }

    /** The longest JSON turn: every LLM attempt running to its timeout, with the longest backoff between them. */
    Duration longestJsonTurn() {
        Duration total = llmTimeout.multipliedBy(llmMaxRetries + 1L);
        Duration delay = retryInitialDelay;
        for (int i = 0; i < llmMaxRetries; i++) {
            total = total.plus(min(delay, retryMaxDelay)).plus(retryJitter);
            delay = delay.multipliedBy(2);
        }
        return total;
    }

    /** Seconds from SIGTERM until the service has stored its last reply. */
    Duration shutdownTotal() {
        return shutdownDelay.plus(shutdownTimeout).plus(shutdownGrace);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String required(Properties props, String key) {
        String v = props.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(key + " is not set in " + PROPERTIES);
        }
        return v.trim();
    }

    /** Quarkus durations: 30s, 5m, 500ms, 1h, 2d, ISO-8601 (PT30S), or a number of seconds. */
    static Duration parseDuration(String text) {
        String v = text.trim();
        if (v.regionMatches(true, 0, "P", 0, 1)) {
            return Duration.parse(v);
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
