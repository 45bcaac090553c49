package io.microchatbot.redis;

/** Redis did not answer in time, refused the connection or failed the command: the caller goes on without it. */
public class RedisUnavailable extends RuntimeException {

    public RedisUnavailable(String operation, Throwable cause) {
        super("Redis " + operation + " failed: " + cause.getMessage(), cause, false, false);
    }
}
