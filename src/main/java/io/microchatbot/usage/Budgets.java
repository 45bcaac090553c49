package io.microchatbot.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.ratelimit.RateLimitConfig;
import io.microchatbot.ratelimit.TurnSlot;
import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.RedisCall;
import io.microchatbot.redis.Reply;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Spending budgets per tenant and per API key, per UTC day and month, in Redis so that every replica shares them.
 * Both are steps of the pipelines a call already sends: {@link #check} of the one that opens it (a budget already
 * reached refuses the call with {@code 429 budget_exhausted} before anything is stored or the provider called),
 * {@link #charge} of the one that closes it. Calls in flight when a budget is reached still finish, so spend may
 * pass a hard limit by what they cost.
 * <p>
 * Without Redis each pod keeps its own counters and holds calls to its share of each budget (divided by
 * {@code chatbot.rate-limit.replicas}), as the rate limits do; with {@code chatbot.rate-limit.local-fallback=false}
 * budgets are not enforced then. What a pod charged locally never reaches Redis.
 */
@ApplicationScoped
public class Budgets {

    private static final LuaScript CHARGE = LuaScript.load("spend-charge");

    private final UsageConfig config;
    private final RateLimitConfig limits;
    private final UsageMetrics metrics;
    private final SoftLimitEvents softLimits;
    private final Map<String, AtomicLong> local = new ConcurrentHashMap<>();

    Budgets(UsageConfig config, RateLimitConfig limits, UsageMetrics metrics, SoftLimitEvents softLimits) {
        this.config = config;
        this.limits = limits;
        this.metrics = metrics;
        this.softLimits = softLimits;
    }

    /** The budgets that apply to a call of the tenant (and key) now; none sends no command. */
    List<Limit> limits(String tenantId, String apiKeyId, Instant now) {
        List<Limit> found = new ArrayList<>(4);
        add(found, config.tenants().get(tenantId), tenantId, null, now);
        if (apiKeyId != null) {
            add(found, config.apiKeys().get(apiKeyId), tenantId, apiKeyId, now);
        }
        return found;
    }

    private static void add(List<Limit> found, UsageConfig.Budget budget, String tenantId, String apiKeyId,
            Instant now) {
        if (budget == null) {
            return;
        }
        if (budget.daily().isPresent() || budget.dailySoft().isPresent()) {
            found.add(Limit.of(tenantId, apiKeyId, Limit.DAY, now, budget.daily().map(Pricing::micros).orElse(-1L),
                    budget.dailySoft().map(Pricing::micros).orElse(-1L)));
        }
        if (budget.monthly().isPresent() || budget.monthlySoft().isPresent()) {
            found.add(Limit.of(tenantId, apiKeyId, Limit.MONTH, now,
                    budget.monthly().map(Pricing::micros).orElse(-1L),
                    budget.monthlySoft().map(Pricing::micros).orElse(-1L)));
        }
    }

    /**
     * A step of a call's opening pipeline: reads what the caller's budgets spent and fails with
     * {@code 429 budget_exhausted} (Retry-After: until the period ends) when one of them is at its hard limit.
     */
    public Pipelined<Void> check(String tenantId, String apiKeyId) {
        Instant now = Instant.now();
        List<Limit> found = limits(tenantId, apiKeyId, now).stream().filter(limit -> limit.hardMicros() >= 0)
                .toList();
        if (found.isEmpty()) {
            return Pipelined.known(null);
        }
        Request read = Request.cmd(Command.MGET);
        found.forEach(limit -> read.arg(limit.key()));
        return new Pipelined<>(RedisCall.command(read), reply -> {
            for (int i = 0; i < found.size(); i++) {
                Limit limit = found.get(i);
                Long spent = spent(reply, limit, i);
                if (spent != null && limit.exhaustedAt(spent)) {
                    metrics.refused(limit);
                    throw exhausted(limit, now);
                }
            }
            return null;
        });
    }

    /**
     * The outcome of a {@link #check} sent with the call's slot acquisition: the slot when the budgets allow the
     * call; when they refuse it, the slot is given back first, then the refusal fails the call.
     */
    public static Uni<TurnSlot> settledAfter(TurnSlot held, Pipelined<Void> check, Reply reply) {
        try {
            check.settle(reply);
        } catch (ApiException exhausted) {
            return held.release().onItem().transformToUni(ignored -> Uni.createFrom().failure(exhausted));
        }
        return Uni.createFrom().item(held);
    }

    /** The spend of the i-th budget read; on this pod's own counter without Redis, or null when not enforced. */
    private Long spent(Reply reply, Limit limit, int i) {
        if (reply.answered()) {
            Response value = reply.response().get(i);
            return value == null ? 0L : value.toLong();
        }
        metrics.fallback(limits.localFallback());
        if (!limits.localFallback()) {
            return null;
        }
        Limit share = limit.share(limits.replicas());
        long spent = localSpent(limit);
        return share.exhaustedAt(spent) ? Long.MAX_VALUE : 0L;
    }

    /**
     * A step of a call's closing pipeline: adds its cost to its budgets' counters. The charge that crosses a soft
     * limit sends the soft-limit event (once per budget and period, whichever pod crosses it).
     */
    public Pipelined<Void> charge(Spend spend) {
        if (spend == null || spend.costMicros() <= 0) {
            return Pipelined.known(null);
        }
        Instant now = Instant.now();
        List<Limit> found = limits(spend.tenantId(), spend.apiKeyId(), now);
        if (found.isEmpty()) {
            return Pipelined.known(null);
        }
        long amount = spend.costMicros();
        List<String> args = new ArrayList<>(found.size() + 1);
        args.add(Long.toString(amount));
        found.forEach(limit -> args.add(Long.toString(limit.ttlSeconds())));
        RedisCall call = RedisCall.script(CHARGE, found.stream().map(Limit::key).toList(), args);
        return new Pipelined<>(call, reply -> {
            for (int i = 0; i < found.size(); i++) {
                Limit limit = found.get(i);
                if (reply.answered()) {
                    charged(limit, reply.response().get(i).toLong(), amount);
                } else if (limits.localFallback()) {
                    charged(limit.share(limits.replicas()), chargeLocally(limit, amount), amount);
                }
            }
            return null;
        });
    }

    private void charged(Limit limit, long total, long amount) {
        if (limit.softCrossedBy(total, amount)) {
            metrics.softLimitReached(limit);
            softLimits.reached(limit, total);
        }
    }

    private long localSpent(Limit limit) {
        AtomicLong spent = local.get(limit.key());
        return spent == null ? 0 : spent.get();
    }

    private long chargeLocally(Limit limit, long amount) {
        return local.computeIfAbsent(limit.key(), key -> new AtomicLong()).addAndGet(amount);
    }

    /** Local counters of periods over are forgotten (their Redis keys expire too). */
    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forgetPastPeriods() {
        Instant now = Instant.now();
        String today = now.atOffset(java.time.ZoneOffset.UTC).toLocalDate().toString();
        String month = today.substring(0, 7);
        local.keySet().removeIf(key -> !key.endsWith(today) && !key.contains(":month:" + month));
    }

    private ApiException exhausted(Limit limit, Instant now) {
        String whose = Limit.API_KEY.equals(limit.scope()) ? "This API key" : "This tenant";
        return new ApiException(ErrorCode.budget_exhausted, whose + " has spent its " + (Limit.DAY.equals(
                limit.period()) ? "daily" : "monthly") + " budget of " + Pricing.amount(limit.hardMicros())
                        .toPlainString()
                + " " + config.currency() + "; it renews at " + limit.end(),
                limit.secondsLeft(now));
    }
}
