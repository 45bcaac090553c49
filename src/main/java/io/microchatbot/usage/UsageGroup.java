package io.microchatbot.usage;

import java.time.Instant;

/** The sums of one group of usage; a dimension the query did not group by is null. */
public record UsageGroup(String tenantId, String apiKeyId, String userId, String model, Instant hour, Instant day,
        long requests, long promptTokens, long completionTokens, long cachedTokens, long totalTokens,
        long costMicros) {
}
