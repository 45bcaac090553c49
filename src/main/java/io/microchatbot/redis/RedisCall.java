package io.microchatbot.redis;

import java.util.List;

import io.vertx.mutiny.redis.client.Request;

/** One command of a {@link BoundedRedis#pipeline pipeline}: a plain command, or a script run by its SHA-1. */
public record RedisCall(Request request, LuaScript script, List<String> keys, List<String> args) {

    public static RedisCall command(Request request) {
        return new RedisCall(request, null, List.of(), List.of());
    }

    public static RedisCall script(LuaScript script, List<String> keys, List<String> args) {
        return new RedisCall(null, script, keys, args);
    }
}
