package io.microchatbot.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.RedisUnavailable;
import io.microchatbot.security.Access;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Request rate limits: token buckets per caller and per tenant, in Redis so that every replica shares them, and a
 * tenant's LLM token budget charged with what replies really used. When Redis cannot be reached each pod limits
 * on its own with its share of the limits ({@code chatbot.rate-limit.local-fallback}), or lets requests through
 * when that is off; both are counted in {@code chatbot.ratelimit.fallback}.
 */
@ApplicationScoped
public class RateLimiter {

    private final RateLimitConfig config;
    private final RedisBuckets redis;
    private final LocalBuckets local;
    private final MeterRegistry registry;

    RateLimiter(RateLimitConfig config, BoundedRedis redis, LocalBuckets local, MeterRegistry registry) {
        this.config = config;
        this.redis = new RedisBuckets(redis::eval);
        this.local = local;
        this.registry = registry;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Takes one request of the kind from the caller's and the tenant's buckets. An API key's own turn limits, when
     * it has them, replace the caller defaults for its turns.
     */
    public Uni<Quota> take(Access access, RequestKind kind) {
        if (!config.enabled()) {
            return Uni.createFrom().item(Quota.unlimited());
        }
        List<Bucket> buckets = buckets(access, kind);
        return redis.take(buckets, OptionalLong.empty())
                .onFailure(RedisUnavailable.class).recoverWithItem(() -> fallback(buckets))
                .invoke(quota -> {
                    if (!quota.allowed()) {
                        rejected(kind.name());
                    }
                });
    }

    /** The 429 rate_limited problem of a refused quota, for every edge to answer in its own terms. */
    public static ApiException refusal(RequestKind kind, Quota quota) {
        return new ApiException(ErrorCode.rate_limited, "Too many " + (kind == RequestKind.turn ? "messages"
                : "requests") + " from this caller or tenant; retry after " + quota.retryAfterSeconds() + " s",
                (int) quota.retryAfterSeconds());
    }

    /**
     * Charges the tenant's LLM token budget, when there is one, with the tokens a reply used: a step of the pipeline
     * that ends the turn. Without Redis the pod's own share of the budget is charged instead.
     */
    public Pipelined<Void> tokenCharge(String tenantId, long tokens) {
        if (!config.enabled() || config.tenantTokensPerMinute().isEmpty() || tokens <= 0) {
            return Pipelined.known(null);
        }
        Bucket budget = tokenBudget(tenantId);
        return new Pipelined<>(RedisBuckets.chargeCall(budget, tokens), reply -> {
            if (!reply.answered()) {
                local.charge(budget.share(config.replicas()), tokens);
            }
            return null;
        });
    }

    void rejected(String reason) {
        Counter.builder("chatbot.ratelimit.rejections")
                .description("Requests refused with 429 rate_limited, by the limit that refused them")
                .tag("limit", reason)
                .register(registry)
                .increment();
    }

    List<Bucket> buckets(Access access, RequestKind kind) {
        Caller caller = access.caller();
        String prefix = prefix(caller.tenantId()) + kind.name() + ":";
        List<Bucket> buckets = new ArrayList<>(3);
        if (kind == RequestKind.turn) {
            double capacity = access.turnCapacity() != null ? access.turnCapacity() : config.capacity();
            double rate = access.turnRate() != null ? access.turnRate() : config.rate();
            buckets.add(new Bucket(prefix + "user:" + caller.userId(), capacity, rate, 1, true));
            buckets.add(new Bucket(prefix + "tenant", config.tenantCapacity(), config.tenantRate(), 1, true));
            if (config.tenantTokensPerMinute().isPresent()) {
                buckets.add(tokenBudget(caller.tenantId()).withCost(0));
            }
        } else {
            buckets.add(new Bucket(prefix + "user:" + caller.userId(), config.readCapacity(), config.readRate(), 1,
                    true));
            buckets.add(new Bucket(prefix + "tenant", config.tenantReadCapacity(), config.tenantReadRate(), 1, true));
        }
        return buckets;
    }

    /** Keys of one tenant share a hash tag: one script may touch them all in a Redis Cluster. */
    static String prefix(String tenantId) {
        return "chatbot:rl:{" + tenantId + "}:";
    }

    private Bucket tokenBudget(String tenantId) {
        int perMinute = config.tenantTokensPerMinute().getAsInt();
        return new Bucket(prefix(tenantId) + "llm-tokens", perMinute, perMinute / 60.0, 0, false);
    }

    private Quota fallback(List<Bucket> buckets) {
        String mode = config.localFallback() ? Quota.LOCAL : "open";
        Counter.builder("chatbot.ratelimit.fallback")
                .description("Requests limited without Redis: by this pod's share of the limits (local) or not at"
                        + " all (open)")
                .tag("mode", mode)
                .register(registry)
                .increment();
        if (!config.localFallback()) {
            return Quota.unlimited();
        }
        return local.take(buckets.stream().map(bucket -> bucket.share(config.replicas())).toList());
    }
}
