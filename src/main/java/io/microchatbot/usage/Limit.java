package io.microchatbot.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * One budget for one period: whose it is ({@code scope} {@code tenant} or {@code api_key}), the UTC period it counts
 * ({@code day} or {@code month}, starting at {@code start}), its Redis counter, and its limits in micro-units (-1:
 * none).
 */
record Limit(String tenantId, String apiKeyId, String scope, String period, Instant start, Instant end, String key,
        long hardMicros, long softMicros) {

    static final String TENANT = "tenant";
    static final String API_KEY = "api_key";
    static final String DAY = "day";
    static final String MONTH = "month";

    static Limit of(String tenantId, String apiKeyId, String period, Instant now, long hardMicros, long softMicros) {
        LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate first = DAY.equals(period) ? today : today.with(TemporalAdjusters.firstDayOfMonth());
        LocalDate next = DAY.equals(period) ? today.plusDays(1) : first.plusMonths(1);
        Instant start = first.atStartOfDay().toInstant(ZoneOffset.UTC);
        String owner = apiKeyId == null ? "" : "key:" + apiKeyId + ":";
        // One hash tag per tenant: the counters of a call share a slot, so one script charges them all.
        String key = "chatbot:spend:{" + tenantId + "}:" + owner + period + ":" + first;
        return new Limit(tenantId, apiKeyId, apiKeyId == null ? TENANT : API_KEY, period, start,
                next.atStartOfDay().toInstant(ZoneOffset.UTC), key, hardMicros, softMicros);
    }

    /** How long the counter must live: to the end of its period, plus a day for clocks that disagree. */
    long ttlSeconds() {
        return ChronoUnit.SECONDS.between(start, end) + 86_400;
    }

    boolean exhaustedAt(long spentMicros) {
        return hardMicros >= 0 && spentMicros >= hardMicros;
    }

    /** Whether the charge of {@code amount} that brought the total to {@code spentMicros} crossed the soft limit. */
    boolean softCrossedBy(long spentMicros, long amount) {
        return softMicros >= 0 && spentMicros >= softMicros && spentMicros - amount < softMicros;
    }

    /** Seconds until the period ends, when the budget is whole again. */
    int secondsLeft(Instant now) {
        return (int) Math.max(1, ChronoUnit.SECONDS.between(now, end));
    }

    /** This budget as one pod's share of it, for when the pods cannot share a counter. */
    Limit share(int replicas) {
        int n = Math.max(1, replicas);
        return new Limit(tenantId, apiKeyId, scope, period, start, end, key, hardMicros < 0 ? -1 : hardMicros / n,
                softMicros < 0 ? -1 : softMicros / n);
    }
}
