package io.microchatbot.redis;

import java.util.List;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/** EVALSHA, then EVAL when Redis answers NOSCRIPT. Usable with any client (tests run independent ones). */
public final class Scripts {

    private Scripts() {
    }

    public static Uni<Response> run(Redis redis, LuaScript script, List<String> keys, List<String> args) {
        return run(redis::send, script, keys, args);
    }

    /** As above on any sender: a pooled client, or one connection whose commands are pipelined. */
    static Uni<Response> run(Function<Request, Uni<Response>> send, LuaScript script, List<String> keys,
            List<String> args) {
        return send.apply(request(Command.EVALSHA, script.sha1(), keys, args))
                .onFailure(Scripts::unknownScript)
                .recoverWithUni(() -> send.apply(request(Command.EVAL, script.text(), keys, args)));
    }

    private static boolean unknownScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }
}
