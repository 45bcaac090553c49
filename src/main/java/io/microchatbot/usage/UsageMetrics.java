package io.microchatbot.usage;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What calls to the provider cost, by tenant: {@code chatbot_llm_cost_total{tenant, currency}} (in units of the
 * currency), {@code chatbot_llm_tenant_tokens_total{tenant, type}} ({@code prompt}, {@code cached},
 * {@code completion}), {@code chatbot_llm_unpriced_calls_total{tenant}}, and the budget counters. The
 * {@code tenant} label is a tenant of {@code chatbot.usage.metric-tenants} or {@code other}: bounded whatever the
 * callers are.
 */
@ApplicationScoped
public class UsageMetrics {

    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Set<String> named;
    private final String currency;

    UsageMetrics(MeterRegistry registry, UsageConfig config) {
        this.registry = registry;
        this.named = Set.copyOf(config.metricTenants().orElse(List.of()));
        this.currency = config.currency();
    }

    /** The tenant as the metrics name it. */
    String label(String tenantId) {
        return named.contains(tenantId) ? tenantId : OTHER;
    }

    /** A paid call, once its usage is recorded. */
    public void spent(Spend spend, boolean priced) {
        String tenant = label(spend.tenantId());
        if (!priced) {
            Counter.builder("chatbot.llm.unpriced.calls")
                    .description("Provider calls whose model has no price in chatbot.usage.prices (counted at zero)")
                    .tag("tenant", tenant)
                    .register(registry)
                    .increment();
        }
        Counter.builder("chatbot.llm.cost")
                .description("What provider calls cost, in units of the currency label")
                .tag("tenant", tenant)
                .tag("currency", currency)
                .register(registry)
                .increment(Pricing.amount(spend.costMicros()).doubleValue());
        int cached = spend.usage().cachedTokens();
        tokens(tenant, "prompt", spend.usage().promptTokens() - cached);
        tokens(tenant, "cached", cached);
        tokens(tenant, "completion", spend.usage().completionTokens());
    }

    private void tokens(String tenant, String type, int count) {
        Counter.builder("chatbot.llm.tenant.tokens")
                .description("Tokens of paid provider calls by tenant: prompt (not cached), cached prompt, completion")
                .tag("tenant", tenant)
                .tag("type", type)
                .register(registry)
                .increment(Math.max(0, count));
    }

    void softLimitReached(Limit limit) {
        budget("chatbot.usage.budget.soft.reached", "Soft spending limits reached, once per budget and period",
                limit);
    }

    void refused(Limit limit) {
        budget("chatbot.usage.budget.refusals",
                "Calls refused with 429 budget_exhausted before the provider was called", limit);
    }

    private void budget(String name, String description, Limit limit) {
        Counter.builder(name)
                .description(description)
                .tag("tenant", label(limit.tenantId()))
                .tag("scope", limit.scope())
                .tag("period", limit.period())
                .register(registry)
                .increment();
    }

    void fallback(boolean local) {
        Counter.builder("chatbot.usage.budget.fallback")
                .description("Budget checks made without Redis: on this pod's share (local) or not at all (open)")
                .tag("mode", local ? "local" : "open")
                .register(registry)
                .increment();
    }
}
