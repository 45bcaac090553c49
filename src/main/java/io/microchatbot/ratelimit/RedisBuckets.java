package io.microchatbot.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.RedisCall;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Token buckets kept in Redis and taken from atomically by {@code token-buckets.lua}, so that every replica shares
 * them. Time is the Redis server's unless a test passes its own.
 */
public class RedisBuckets {

    private static final LuaScript BUCKETS = LuaScript.load("token-buckets");

    /** Runs a script: the service's bounded client, or any client in tests. */
    @FunctionalInterface
    public interface ScriptRunner {
        Uni<Response> run(String operation, LuaScript script, List<String> keys, List<String> args);
    }

    private final ScriptRunner redis;

    public RedisBuckets(ScriptRunner redis) {
        this.redis = redis;
    }

    /** Takes every bucket's cost, or nothing when one of them lacks it. */
    public Uni<Quota> take(List<Bucket> wanted, OptionalLong nowMicros) {
        return run("rate-limit", "take", wanted, nowMicros)
                .map(answer -> quota(wanted, answer));
    }

    /** Charges a bucket after the fact (it may go into debt); returns the whole tokens left. */
    public Uni<Long> charge(Bucket bucket, double amount, OptionalLong nowMicros) {
        return run("rate-limit-charge", "charge", List.of(bucket.withCost(amount)), nowMicros)
                .map(answer -> answer.get(2).toLong());
    }

    /** {@link #charge} as a call of a pipeline, at the Redis server's time. */
    public static RedisCall chargeCall(Bucket bucket, double amount) {
        List<Bucket> charged = List.of(bucket.withCost(amount));
        return RedisCall.script(BUCKETS, keys(charged), args("charge", charged, OptionalLong.empty()));
    }

    private Uni<Response> run(String operation, String mode, List<Bucket> buckets, OptionalLong nowMicros) {
        return redis.run(operation, BUCKETS, keys(buckets), args(mode, buckets, nowMicros));
    }

    private static List<String> keys(List<Bucket> buckets) {
        return buckets.stream().map(Bucket::key).toList();
    }

    private static List<String> args(String mode, List<Bucket> buckets, OptionalLong nowMicros) {
        List<String> args = new ArrayList<>(2 + 3 * buckets.size());
        args.add(nowMicros.isPresent() ? Long.toString(nowMicros.getAsLong()) : "");
        args.add(mode);
        for (Bucket bucket : buckets) {
            args.add(number(bucket.capacity()));
            args.add(number(bucket.rate()));
            args.add(number(bucket.cost()));
        }
        return args;
    }

    private static Quota quota(List<Bucket> wanted, Response answer) {
        boolean allowed = answer.get(0).toInteger() == 1;
        long retry = answer.get(1).toLong();
        Quota shown = null;
        for (int i = 0; i < wanted.size(); i++) {
            Quota quota = new Quota(allowed, retry, (long) wanted.get(i).capacity(), answer.get(2 + 2 * i).toLong(),
                    answer.get(3 + 2 * i).toLong(), Quota.REDIS);
            if (wanted.get(i).shown() && (shown == null || quota.remaining() < shown.remaining())) {
                shown = quota;
            }
        }
        return shown != null ? shown : new Quota(allowed, retry, 0, 0, 0, Quota.REDIS);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
