package io.microchatbot.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.usage.Pricing;
import io.microchatbot.usage.UsageGroup;
import io.microchatbot.usage.UsageService;

/**
 * {@code GET /api/v1/usage}: the range summed ({@code from} inclusive, {@code to} exclusive), whose usage
 * ({@code scope}: {@code tenant} or {@code user}), the dimensions grouped by, and one entry per group with usage.
 * Costs are exact decimals in {@code currency}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UsageReportView(Instant from, Instant to, String scope, String currency, List<String> groupBy,
        List<Group> groups) {

    public static UsageReportView of(UsageService.Report report) {
        return new UsageReportView(report.query().from(), report.query().to(), report.scope(), report.currency(),
                report.query().groupBy().stream().map(Enum::name).toList(),
                report.groups().stream().map(Group::of).toList());
    }

    /** One group: the dimensions it was grouped by (the others absent) and its sums. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Group(String tenant, String apiKey, String user, String model, Instant hour, Instant day,
            long requests, long promptTokens, long cachedTokens, long completionTokens, long totalTokens,
            BigDecimal cost) {

        static Group of(UsageGroup group) {
            return new Group(group.tenantId(), group.apiKeyId(), group.userId(), group.model(), group.hour(),
                    group.day(), group.requests(), group.promptTokens(), group.cachedTokens(),
                    group.completionTokens(), group.totalTokens(), Pricing.amount(group.costMicros()));
        }
    }
}
