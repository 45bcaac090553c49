package io.microchatbot.redis;

import io.vertx.mutiny.redis.client.Response;

/**
 * The answer to one command of a pipeline: Redis's response, or why there is none (Redis unavailable, or an error
 * reply to this command alone). Its sender decides what a missing answer means, as with a single command.
 */
public record Reply(Response response, RedisUnavailable failure) {

    /** The reply of a step that had nothing to send. */
    public static final Reply NOT_SENT = new Reply(null, null);

    static Reply of(Response response) {
        return new Reply(response, null);
    }

    static Reply failed(RedisUnavailable failure) {
        return new Reply(null, failure);
    }

    /** Redis answered this call (false when it was not sent, or Redis failed it). */
    public boolean answered() {
        return this != NOT_SENT && failure == null;
    }
}
