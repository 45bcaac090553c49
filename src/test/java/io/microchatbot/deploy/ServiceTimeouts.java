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

/**
 * The service's own time limits in production, as the mesh must respect them: the {@code @WithDefault} values of
 * src/main/java/io/microchatbot/config/ChatbotConfig.java, overridden by the profile-less keys of
 * src/main/resources/application.properties. Both files are parsed, so a changed default shows up here.
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
        Duration idempotencyLockTimeout,
        Duration shutdownDelay,
        Duration shutdownTimeout,
        Duration shutdownGrace) {

    static final Path CONFIG_SOURCE = DeployFiles.ROOT.resolve("src/main/java/io/microchatbot/config/ChatbotConfig.java");
    static final Path PROPERTIES = DeployFiles.ROOT.resolve("src/main/resources/application.properties");

    static ServiceTimeouts read() {
        String source;
        Properties props = new Properties();
        try {
            source = Files.readString(CONFIG_SOURCE, StandardCharsets.UTF_8);
            try (Reader r = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
                props.load(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Settings s = new Settings(source, props);
        return new ServiceTimeouts(
                s.duration("chatbot.llm.timeout", "Llm", "timeout"),
                s.duration("chatbot.llm.first-token-timeout", "Llm", "firstTokenTimeout"),
                s.duration("chatbot.llm.stream-max-duration", "Llm", "streamMaxDuration"),
                Integer.parseInt(s.value("chatbot.llm.retry.max-retries", "Retry", "maxRetries")),
                s.duration("chatbot.llm.retry.initial-delay", "Retry", "initialDelay"),
                s.duration("chatbot.llm.retry.max-delay", "Retry", "maxDelay"),
                s.duration("chatbot.llm.retry.jitter", "Retry", "jitter"),
                s.duration("chatbot.turn.lease", "Turn", "lease"),
                s.duration("chatbot.idempotency.lock-timeout", "Idempotency", "lockTimeout"),
                // Quarkus' own keys: no @WithDefault to fall back on, application.properties must set them.
                parseDuration(required(props, "quarkus.shutdown.delay")),
                parseDuration(required(props, "quarkus.shutdown.timeout")),
                s.duration("chatbot.turn.shutdown-grace", "Turn", "shutdownGrace"));
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

    /** A chatbot.* setting: the profile-less property if set, else the {@code @WithDefault} in ChatbotConfig. */
    private record Settings(String source, Properties props) {

        Duration duration(String key, String iface, String method) {
            return parseDuration(value(key, iface, method));
        }

        String value(String key, String iface, String method) {
            String configured = props.getProperty(key);
            if (configured != null && !configured.isBlank()) {
                return configured.trim();
            }
            return withDefault(iface, method);
        }

        /** The @WithDefault of {@code method()} in the nested {@code interface iface} of ChatbotConfig. */
        private String withDefault(String iface, String method) {
            Matcher start = Pattern.compile("\\n    interface " + iface + "\\s*\\{").matcher(source);
            if (!start.find()) {
                throw new IllegalStateException("interface " + iface + " not found in " + CONFIG_SOURCE);
            }
            int end = source.indexOf("\n    interface ", start.end());
            String body = source.substring(start.end(), end < 0 ? source.length() : end);
            Matcher m = Pattern.compile("@WithDefault\\(\"([^\"]*)\"\\)\\s+[\\w<>.,\\s]+?\\s+" + method + "\\(\\)")
                    .matcher(body);
            if (!m.find()) {
                throw new IllegalStateException(
                        "@WithDefault of " + iface + "." + method + "() not found in " + CONFIG_SOURCE);
            }
            return m.group(1);
        }
    }
}
