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

    /**
     * What a streamed turn does when its caller goes away: {@code continue} runs it to its end (the reply is
     * stored, and the caller can follow it again at {@code …/turns/{messageId}/events}); {@code stop} cuts it and
     * stores what was generated as {@code incomplete} ({@code client_disconnected}).
     */
    @WithDefault("continue")
    WhenCallerLeaves whenCallerLeaves();

    /** How long a turn's events stay in Redis after its end, to be replayed to a caller who follows it. */
    @WithDefault("10m")
    Duration eventsRetention();

    /** How often a follower of a turn looks for new events. */
    @WithDefault("100ms")
    Duration followInterval();

    /** How often a replica looks in Redis for cancels of the turns it runs (one command for all of them). */
    @WithDefault("200ms")
    Duration cancelPollInterval();

    /** How long a cancel waits for the turn's reply to be stored before it answers 202 instead of 200. */
    @WithDefault("5s")
    Duration cancelWait();

    enum WhenCallerLeaves {
        /** The turn runs on; its caller may follow it again. */
        CONTINUE,
        /** The turn stops and stores what it has. */
        STOP
    }
}
