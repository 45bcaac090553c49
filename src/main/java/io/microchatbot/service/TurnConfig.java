package io.microchatbot.service;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** How a turn holds its conversation, starts, recovers and ends on shutdown (chatbot.turn.*). */
@ConfigMapping(prefix = "chatbot.turn")
public interface TurnConfig {
    /** A turn holds its conversation this long at most; a crashed pod's claim expires after it. */
    @WithDefault("10m")
    Duration lease();

    /**
     * A turn whose caller's deadline (x-envoy-expected-rq-timeout-ms or Request-Timeout) leaves less than this
     * is refused with 504 deadline_exceeded before anything is stored or paid for.
     */
    @WithDefault("1s")
    Duration minTimeToStart();

    /** Retry-After sent with 409 conversation_busy. */
    @WithDefault("2")
    int busyRetryAfterSeconds();

    /**
     * How often every replica looks for turns left without a reply (their pod died, or the database went away,
     * after the user message was stored) once their lease has expired; the first look is right after start.
     * A duration, or {@code off} (empty here) to disable it. The {@code @Scheduled} expression of TurnRecoveryJob
     * reads the same key; this mapping makes a value that is neither fail at start.
     */
    @WithDefault("30s")
    @WithConverter(DurationOrOff.class)
    Optional<Duration> recoveryInterval();

    /**
     * On shutdown, after the HTTP drain ({@code quarkus.shutdown.timeout}) and after cutting the requests still
     * running, how long to wait for their turns to store their replies before the database pool closes.
     */
    @WithDefault("5s")
    Duration shutdownGrace();
}
