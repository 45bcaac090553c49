package io.microchatbot.usage;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.redis.BoundedRedis;

/**
 * Turns what a provider call used into what it cost and whose it was ({@link Spend}), and counts it in the metrics.
 * The provider's usage when it reported it; otherwise, for a call that produced something (a stream cut short), an
 * estimate by {@link TokenCounter}: the prompt as sent and the reply as far as it came, marked {@code estimated}.
 */
@ApplicationScoped
public class Accounting {

    private final Pricing pricing;
    private final UsageMetrics metrics;
    private final TokenCounter tokens;
    private final UsageRecords records;
    private final Budgets budgets;
    private final BoundedRedis redis;

    Accounting(Pricing pricing, UsageMetrics metrics, TokenCounter tokens, UsageRecords records, Budgets budgets,
            BoundedRedis redis) {
        this.pricing = pricing;
        this.metrics = metrics;
        this.tokens = tokens;
        this.records = records;
        this.budgets = budgets;
        this.redis = redis;
    }

    /**
     * What a turn's reply cost, or null when nothing was paid for: the provider reported no usage and sent nothing
     * (a call that failed before its first token).
     */
    public Spend ofReply(String tenantId, String userId, String apiKeyId, String model, String provider,
            LlmUsage reported, List<ChatMessage> prompt, int replyTokens, UUID conversationId, UUID messageId) {
        LlmUsage usage = reported;
        boolean estimated = false;
        if (usage == null) {
            if (replyTokens <= 0) {
                return null;
            }
            int promptTokens = tokens.countPrompt(prompt);
            usage = new LlmUsage(promptTokens, replyTokens, promptTokens + replyTokens);
            estimated = true;
        }
        return spend(tenantId, userId, apiKeyId, Spend.TURN, model, provider, usage, estimated, conversationId,
                messageId);
    }

    /** What one call of the stateless door cost. */
    public Spend ofCall(String tenantId, String userId, String apiKeyId, String model, String provider,
            LlmUsage usage, boolean estimated) {
        return spend(tenantId, userId, apiKeyId, Spend.OPENAI, model, provider, usage, estimated, null, null);
    }

    /** What writing a conversation's summary cost (history compaction); charged to the turn that needed it. */
    public Spend ofSummary(String tenantId, String userId, String apiKeyId, String model, String provider,
            LlmUsage usage, UUID conversationId, UUID summaryId) {
        return usage == null ? null
                : spend(tenantId, userId, apiKeyId, Spend.COMPACTION, model, provider, usage, false, conversationId,
                        summaryId);
    }

    private Spend spend(String tenantId, String userId, String apiKeyId, String source, String model,
            String provider, LlmUsage usage, boolean estimated, UUID conversationId, UUID messageId) {
        String answeredBy = provider == null ? "unknown" : provider;
        long cost = pricing.costMicros(answeredBy, model, usage).orElse(0L);
        return new Spend(tenantId, userId, apiKeyId, source, model, answeredBy, usage, cost, estimated,
                conversationId, messageId);
    }

    /** A paid call whose row is written: counted in the cost and token metrics. */
    public void counted(Spend spend) {
        if (spend != null) {
            metrics.spent(spend, pricing.price(spend.provider(), spend.model()).isPresent());
        }
    }

    /**
     * A paid call whose reply could not be stored (its conversation was deleted meanwhile): its row is written and
     * its budgets charged apart, off the caller's path, so that spend is never lost.
     */
    public void recordApart(Spend spend) {
        if (spend == null) {
            return;
        }
        records.record(spend);
        redis.send("usage-charge", budgets.charge(spend)).subscribe().with(ignored -> {
        }, failure -> {
            // never fails: without Redis the charge is local (Budgets)
        });
        counted(spend);
    }
}
