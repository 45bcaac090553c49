package io.microchatbot.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.redis.Scripts;
import io.microchatbot.testing.RedisKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared token buckets against the real Redis, taken by two independent clients (two replicas), on a clock the
 * test sets: counts are exact, no sleeping.
 */
class RedisBucketsTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long SECOND = 1_000_000L;
    private final String tenant = "tenant-" + UUID.randomUUID();
    private final RedisBuckets replicaA = replica();
    private final RedisBuckets replicaB = replica();

    @AfterEach
    void cleanUp() {
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void twoReplicasShareOneBucketExactlyCapacityPassesABurstThenItRefillsAtTheRate() {
        List<Bucket> user = List.of(bucket("turn:user:u1", 10, 2));

        // 200 requests at t=0, sent concurrently and alternating between the replicas.
        assertThat(allowed(burst(user, 200, T0))).isEqualTo(10);
        // Half a second refills one token (rate 2/s), one more second two, five seconds ten (the capacity).
        assertThat(allowed(burst(user, 50, T0 + SECOND / 2))).isEqualTo(1);
        assertThat(allowed(burst(user, 50, T0 + 3 * SECOND / 2))).isEqualTo(2);
        assertThat(allowed(burst(user, 50, T0 + 100 * SECOND))).isEqualTo(10);
    }

    @Test
    void aRefusalSaysWhenToRetryAndTheHeadersCountDown() {
        List<Bucket> user = List.of(bucket("turn:user:u1", 3, 0.5));
        Quota first = take(replicaA, user, T0);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limit()).isEqualTo(3);
        assertThat(first.remaining()).isEqualTo(2);
        assertThat(first.resetMillis()).isEqualTo(2000);
        take(replicaB, user, T0);
        take(replicaA, user, T0);

        Quota refused = take(replicaB, user, T0 + SECOND);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        // Half a token is back after one second at 0.5/s: one more second for a whole one.
        assertThat(refused.retryAfterMillis()).isEqualTo(1000);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(take(replicaA, user, T0 + 2 * SECOND).allowed()).isTrue();
    }

    @Test
    void callerAndTenantBucketsAreTakenTogetherOrNotAtAll() {
        List<Bucket> alice = List.of(bucket("turn:user:alice", 10, 1), bucket("turn:tenant", 3, 1));
        List<Bucket> bob = List.of(bucket("turn:user:bob", 10, 1), bucket("turn:tenant", 3, 1));

        assertThat(allowed(burst(alice, 20, T0))).isEqualTo(3);
        // The tenant is spent, so Bob is refused too, and his own bucket keeps everything.
        Quota refused = take(replicaB, bob, T0);
        assertThat(refused.allowed()).isFalse();
        Quota later = take(replicaB, bob, T0 + 3 * SECOND);
        assertThat(later.allowed()).isTrue();
        assertThat(take(replicaA, List.of(bucket("turn:user:bob", 10, 1)), T0 + 3 * SECOND).remaining()).isEqualTo(8);
        // Alice's refused requests took nothing from her bucket either.
        assertThat(take(replicaA, List.of(bucket("turn:user:alice", 10, 1)), T0 + 3 * SECOND).remaining())
                .isEqualTo(9);
    }

    @Test
    void aTokenBudgetInDebtRefusesUntilItRefills() {
        Bucket budget = bucket("llm-tokens", 600, 10);
        assertThat(take(replicaA, List.of(budget), T0).allowed()).isTrue();
        // A reply used 900 tokens: 300 in debt, which takes 30 s at 10 tokens/s to pay back.
        assertThat(replicaB.charge(budget, 900, OptionalLong.of(T0)).await().atMost(Duration.ofSeconds(5)))
                .isEqualTo(-300);
        assertThat(take(replicaA, List.of(budget), T0 + 29 * SECOND).allowed()).isFalse();
        assertThat(take(replicaA, List.of(budget), T0 + 29 * SECOND).retryAfterMillis()).isEqualTo(1000);
        assertThat(take(replicaB, List.of(budget), T0 + 30 * SECOND).allowed()).isTrue();
    }

    @Test
    void aReplicaWhoseClockIsBehindRefillsNothingTwice() {
        List<Bucket> user = List.of(bucket("turn:user:u1", 2, 1));
        assertThat(allowed(burst(user, 5, T0 + 10 * SECOND))).isEqualTo(2);
        // Replica B's clock is 5 s behind: it must not see 5 s of refill again.
        assertThat(take(replicaB, user, T0 + 5 * SECOND).allowed()).isFalse();
        assertThat(take(replicaB, user, T0 + 11 * SECOND).allowed()).isTrue();
    }

    private Bucket bucket(String name, double capacity, double rate) {
        return new Bucket(RateLimiter.prefix(tenant) + name, capacity, rate, name.equals("llm-tokens") ? 0 : 1, true);
    }

    private List<Quota> burst(List<Bucket> buckets, int requests, long now) {
        List<Uni<Quota>> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add((i % 2 == 0 ? replicaA : replicaB).take(buckets, OptionalLong.of(now)));
        }
        return Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(10));
    }

    private static long allowed(List<Quota> quotas) {
        return quotas.stream().filter(Quota::allowed).count();
    }

    private static Quota take(RedisBuckets replica, List<Bucket> buckets, long now) {
        return replica.take(buckets, OptionalLong.of(now)).await().atMost(Duration.ofSeconds(5));
    }

    private static RedisBuckets replica() {
        Redis client = Redis.createClient(Vertx.vertx(), new RedisOptions()
                .setConnectionString("redis://127.0.0.1:6379").setMaxPoolWaiting(1000));
        return new RedisBuckets((operation, script, keys, args) -> Scripts.run(client, script, keys, args));
    }
}
