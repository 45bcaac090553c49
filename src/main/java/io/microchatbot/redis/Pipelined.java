package io.microchatbot.redis;

import java.util.function.Function;

/**
 * A sender's part of a {@link BoundedRedis#pipeline pipeline}: the call to send, if it needs one, and what its
 * answer (or its absence) means to the sender, fallbacks included.
 */
public record Pipelined<T>(RedisCall call, Function<Reply, T> outcome) {

    /** Nothing to send (e.g. the feature is off): the outcome is known already. */
    public static <T> Pipelined<T> known(T value) {
        return new Pipelined<>(null, reply -> value);
    }

    public T settle(Reply reply) {
        return outcome.apply(reply);
    }
}
