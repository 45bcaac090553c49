package io.microchatbot.ratelimit;

/**
 * One token bucket and what a request takes from it.
 *
 * @param key its Redis key, also its name in the local fallback
 * @param capacity tokens it holds when full (the burst)
 * @param rate tokens refilled per second
 * @param cost tokens the request takes; 0 only checks that the bucket is not in debt
 * @param shown whether its state is the one reported in the RateLimit headers
 */
public record Bucket(String key, double capacity, double rate, double cost, boolean shown) {

    Bucket withCost(double newCost) {
        return new Bucket(key, capacity, rate, newCost, shown);
    }

    /** The same bucket shared by {@code replicas} pods, each holding its part. */
    Bucket share(int replicas) {
        return new Bucket(key, Math.max(1, capacity / replicas), rate / replicas, cost, shown);
    }
}
