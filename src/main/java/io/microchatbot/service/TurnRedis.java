package io.microchatbot.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Message;
import io.microchatbot.cache.CachedContext;
import io.microchatbot.cache.ContextCache;
import io.microchatbot.identity.Caller;
import io.microchatbot.ratelimit.RateLimiter;
import io.microchatbot.ratelimit.TurnSlot;
import io.microchatbot.ratelimit.TurnSlots;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.redis.Reply;
import io.microchatbot.usage.Budgets;
import io.smallrye.mutiny.Uni;

/**
 * A turn's Redis calls after its rate limit, in two round trips: one pipeline opens it (the caller's turn slot, the
 * cached context and its spending budgets' check), one closes it (the cache appends of both messages, the token
 * charge, the spend charge, the slot's release).
 * The calls touch keys of different hash tags, so they are pipelined rather than one script (ADR 0009). Each call
 * keeps its own fallback when Redis is unavailable.
 */
@ApplicationScoped
class TurnRedis {

    private final BoundedRedis redis;
    private final TurnSlots slots;
    private final ContextCache cache;
    private final RateLimiter limiter;
    private final Budgets budgets;

    TurnRedis(BoundedRedis redis, TurnSlots slots, ContextCache cache, RateLimiter limiter, Budgets budgets) {
        this.budgets = budgets;
        this.redis = redis;
        this.slots = slots;
        this.cache = cache;
        this.limiter = limiter;
    }

    /**
     * The caller's place for the turn (or 429 rate_limited), whatever the cache holds of the conversation, and the
     * budgets of the tenant and API key (429 budget_exhausted, the place given back at once).
     */
    Uni<Opening> open(Caller caller, String apiKeyId, UUID conversationId) {
        Pipelined<TurnSlot> slot = slots.acquisition(caller);
        Pipelined<Optional<CachedContext>> context = cache.snapshotStep(caller.tenantId(), conversationId);
        Pipelined<Void> budget = budgets.check(caller.tenantId(), apiKeyId);
        return redis.pipeline("turn-open", List.of(slot, context, budget))
                .chain(replies -> opening(slot, context, budget, replies));
    }

    /** After the reply is stored; never fails (a write Redis missed is a later cache miss, see ContextCache). */
    Uni<Void> close(TurnStart start, StoredReply stored, TurnSlot slot, long usedTokens) {
        // The spend is charged here, with the turn's other closing calls: no round trip of its own.
        Message reply = stored.reply();
        List<Pipelined<Void>> steps = new ArrayList<>(start.inputs().size() + 4);
        if (start.userMessageToCache()) {
            // The inputs brought the count to messageCount, the last one exactly; the ones before it one by one.
            long count = start.messageCount() - start.inputs().size();
            for (Message input : start.inputs()) {
                steps.add(cache.appendStep(input, ++count));
            }
        }
        steps.add(stored.messageCount() != null
                ? cache.appendStep(reply, stored.messageCount())
                : Pipelined.known(null));
        steps.add(limiter.tokenCharge(reply.tenantId, usedTokens));
        steps.add(budgets.charge(stored.spend()));
        steps.add(slot.releaseStep());
        return redis.pipeline("turn-close", steps)
                .invoke(replies -> settle(steps, replies))
                .replaceWithVoid();
    }

    private static Uni<Opening> opening(Pipelined<TurnSlot> slot, Pipelined<Optional<CachedContext>> context,
            Pipelined<Void> budget, List<Reply> replies) {
        // The slot first: a refusal (429) is thrown before the context is counted as a hit or a miss.
        return Budgets.settledAfter(slot.settle(replies.get(0)), budget, replies.get(2))
                .map(held -> new Opening(held, context.settle(replies.get(1))));
    }

    private static void settle(List<Pipelined<Void>> steps, List<Reply> replies) {
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).settle(replies.get(i));
        }
    }

    /** A turn's place and the cached context it may start from. */
    record Opening(TurnSlot slot, Optional<CachedContext> context) {
    }
}
