package io.microchatbot.redis;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How requests use Redis: it is a speed-up and a shared counter, never a reason for a request to fail. */
@ConfigMapping(prefix = "chatbot.redis")
public interface RedisConfig {
    /** A command not answered within this is given up (the request goes on without Redis). */
    @WithDefault("100ms")
    Duration commandTimeout();

    /** Redis failures are logged at most once per interval (with the count since the last line). */
    @WithDefault("30s")
    Duration errorLogInterval();

    /**
     * When half of the last ten commands failed, Redis is not asked at all for this long (a circuit breaker), so
     * that requests do not each wait for the command timeout while Redis hangs.
     */
    @WithDefault("2s")
    Duration pause();
}
