package io.microchatbot.ratelimit;

/**
 * What the limiter decided for one request, and what the RateLimit headers say.
 *
 * @param allowed whether the request may go on (its tokens were taken)
 * @param retryAfterMillis when refused, how long until enough tokens are back
 * @param limit capacity of the reported bucket (the one with the fewest tokens left)
 * @param remaining whole tokens left in it
 * @param resetMillis how long until it is full again
 * @param source where the buckets live: {@code redis}, {@code local} (Redis unreachable) or {@code none}
 */
public record Quota(boolean allowed, long retryAfterMillis, long limit, long remaining, long resetMillis, String source) {

    public static final String REDIS = "redis";
    public static final String LOCAL = "local";
    public static final String NONE = "none";

    /** Nothing was limited (limits disabled, or Redis unreachable with the local fallback off). */
    static Quota unlimited() {
        return new Quota(true, 0, 0, 0, 0, NONE);
    }

    public boolean limited() {
        return !NONE.equals(source);
    }

    public long retryAfterSeconds() {
        return Math.max(1, (retryAfterMillis + 999) / 1000);
    }

    public long resetSeconds() {
        return Math.max(0, (resetMillis + 999) / 1000);
    }
}
