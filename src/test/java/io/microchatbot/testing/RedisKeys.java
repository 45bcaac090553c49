package io.microchatbot.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/** Direct access to the real Redis (not through the relay), to look at and clean up what the service wrote. */
public final class RedisKeys {

    private static final Redis REDIS = Redis.createClient(Vertx.vertx(), "redis://127.0.0.1:" + RedisProxyResource.REDIS_PORT);

    private RedisKeys() {
    }

    public static Response send(Request request) {
        try {
            return REDIS.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Redis command failed: " + request, e);
        }
    }

    public static Response command(Command command, Object... args) {
        Request request = Request.cmd(command);
        for (Object arg : args) {
            request.arg(String.valueOf(arg));
        }
        return send(request);
    }

    /** Every key matching a glob pattern, found with SCAN. */
    public static List<String> matching(String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            Response page = command(Command.SCAN, cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = page.get(0).toString();
            page.get(1).forEach(key -> keys.add(key.toString()));
        } while (!"0".equals(cursor));
        return keys;
    }

    /** Deletes every key matching the pattern; returns how many there were. */
    public static int deleteMatching(String pattern) {
        List<String> keys = matching(pattern);
        if (!keys.isEmpty()) {
            command(Command.DEL, keys.toArray());
        }
        return keys.size();
    }

    /** One entry of a stream: its id and its fields. */
    public record StreamEntry(String id, Map<String, String> fields) {
    }

    /** The entries of a stream whose {@code tenantId} field is the tenant's, oldest first. */
    public static List<StreamEntry> entries(String stream, String tenant) {
        List<StreamEntry> entries = new ArrayList<>();
        Response all = command(Command.XRANGE, stream, "-", "+");
        for (Response entry : all) {
            Map<String, String> fields = new LinkedHashMap<>();
            Response pairs = entry.get(1);
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                fields.put(pairs.get(i).toString(), pairs.get(i + 1).toString());
            }
            if (tenant.equals(fields.get("tenantId"))) {
                entries.add(new StreamEntry(entry.get(0).toString(), fields));
            }
        }
        return entries;
    }

    /** Deletes a tenant's entries from a stream. */
    public static void deleteEntries(String stream, String tenant) {
        List<StreamEntry> entries = entries(stream, tenant);
        if (!entries.isEmpty()) {
            List<Object> args = new ArrayList<>();
            args.add(stream);
            entries.forEach(entry -> args.add(entry.id()));
            command(Command.XDEL, args.toArray());
        }
    }

    /** Keys the service wrote for a tenant (cache and limits). */
    public static int deleteTenant(String tenant) {
        return deleteMatching("chatbot:" + tenant + ":*") + deleteMatching("chatbot:rl:{" + tenant + "}:*");
    }
}
