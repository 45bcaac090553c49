package io.microchatbot.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.identity.Caller;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.SseClient;
import io.microchatbot.testing.UpstreamBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.redis.client.Command;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

@QuarkusTest
@TestProfile(LowLimitsProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class RateLimitTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @Inject
    MeterRegistry registry;

    @AfterEach
    void cleanUp() {
        RedisProxyResource.restoreForTheNextTest();
        upstream.reset();
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void turnsBeyondTheBurstAre429WithRetryAfterAndNothingIsStored() throws Exception {
        String id = conversation();
        for (int i = 0; i < 3; i++) {
            turn(id, "m" + i).statusCode(201).header(RateLimitFilter.REMAINING, String.valueOf(2 - i));
        }
        turn(id, "one too many")
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("[1-5]"))
                .header(RateLimitFilter.LIMIT, "3")
                .header(RateLimitFilter.REMAINING, "0")
                .header(RateLimitFilter.RESET, matchesPattern("1[0-5]"))
                .body("code", equalTo("rate_limited"))
                .body("status", equalTo(429));
        assertThat(Sql.text("select message_count from conversations where id = '" + id + "'")).isEqualTo("6");
        assertThat(Sql.text("select count(*) from messages where conversation_id = '" + id
                + "' and content = 'one too many'")).isEqualTo("0");
        // Reads have a bucket of their own.
        caller().get("/api/v1/conversations/{id}/messages", id).then().statusCode(200)
                .header(RateLimitFilter.LIMIT, "5");
    }

    @Test
    void everyResponseCarriesTheRateLimitHeadersEvenErrorsAndStreams() throws Exception {
        caller().get("/api/v1/conversations").then().statusCode(200)
                .header(RateLimitFilter.LIMIT, "5").header(RateLimitFilter.REMAINING, "4")
                .header(RateLimitFilter.RESET, "5");
        caller().get("/api/v1/conversations/{id}", java.util.UUID.randomUUID()).then().statusCode(404)
                .header(RateLimitFilter.REMAINING, "3");
        String id = conversation();
        try (SseClient sse = SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user,
                "text/event-stream", "{\"content\":\"hi\"}", Map.of("X-Tenant-ID", tenant))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.header(RateLimitFilter.LIMIT)).isEqualTo("3");
            assertThat(sse.header(RateLimitFilter.REMAINING)).isEqualTo("2");
            sse.rest();
        }
    }

    @Test
    void readsBeyondTheirBurstAre429() {
        for (int i = 0; i < 5; i++) {
            caller().get("/api/v1/conversations").then().statusCode(200);
        }
        caller().get("/api/v1/conversations").then().statusCode(429).body("code", equalTo("rate_limited"));
        // Another caller of the same tenant is not affected.
        as(tenant, newUser()).get("/api/v1/conversations").then().statusCode(200);
    }

    @Test
    void aCallerHasAtMostTwoTurnsRunningAndEveryExitFreesItsPlace() throws Exception {
        String a = conversation();
        String b = conversation();
        String c = conversation();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.behave(UpstreamBehavior.reply("slow", " reply").gateAfter(1, gate));
        try (SseClient first = stream(a); SseClient second = stream(b)) {
            assertThat(first.next().name()).isEqualTo("message.created");
            assertThat(second.next().name()).isEqualTo("message.created");
            assertThat(running()).isEqualTo(2);

            turn(c, "third").statusCode(429).body("code", equalTo("rate_limited"))
                    .body("detail", org.hamcrest.Matchers.containsString("2 turns running"))
                    .header("Retry-After", matchesPattern("\\d+"));
            gate.complete(null);
            first.rest();
            // The second caller hangs up mid-stream: its place is freed too.
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(running()).isZero());
    }

    @Test
    void aTurnThatFailsUpstreamFreesItsPlace() {
        upstream.behave(UpstreamBehavior.status(500));
        String id = conversation();
        turn(id, "fails upstream").statusCode(org.hamcrest.Matchers.oneOf(502, 503));
        assertThat(running()).isZero();
        upstream.reset();
        turn(id, "works again").statusCode(201);
        assertThat(running()).isZero();
    }

    @Test
    void aPlaceLeftByADeadPodExpiresByItself() {
        String key = TurnSlots.key(new Caller(tenant, user));
        long past = System.currentTimeMillis() - 1000;
        RedisKeys.command(Command.ZADD, key, past, "turn-of-a-dead-pod-1", past, "turn-of-a-dead-pod-2");
        String id = conversation();
        turn(id, "hello").statusCode(201);
        assertThat(running()).isZero();
    }

    @Test
    void redisDownFallsBackToALocalBucketThatStillLimits() {
        String id = conversation();
        RedisProxyResource.cut();
        for (int i = 0; i < 3; i++) {
            turn(id, "m" + i).statusCode(201);
        }
        turn(id, "refused locally").statusCode(429).body("code", equalTo("rate_limited"));
        RedisProxyResource.restore();
    }

    @Test
    void aTenantOverItsLlmTokenBudgetIsRefusedUntilItRefills() {
        // The budget is 60 tokens a minute; the fake provider reports 11 prompt tokens plus one per chunk.
        upstream.behave(UpstreamBehavior.reply("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                "0", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T",
                "U", "V", "W", "X"));
        String id = conversation();
        turn(id, "expensive").statusCode(201);
        // 71 tokens used: 11 in debt, paid back at 1 token/s; the tenant's other callers are refused too.
        String other = as(tenant, newUser()).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
        as(tenant, newUser()).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", other)
                .then().statusCode(429);
        turn(id, "refused").statusCode(429).body("code", equalTo("rate_limited"))
                .header("Retry-After", matchesPattern("(9|1[0-2])"));
    }

    @Test
    void aWarmTurnWaitsOnRedisThreeTimesAndEachCallStillLands() {
        upstream.behave(UpstreamBehavior.reply("x", "y"));
        String id = conversation();
        turn(id, "first").statusCode(201);
        Map<String, Double> before = roundTrips();
        double tokensBefore = budgetTokens();

        turn(id, "second").statusCode(201);

        Map<String, Double> after = roundTrips();
        // The rate limit, then one pipeline to open the turn and one to close it: nothing else waits on Redis.
        for (String operation : List.of("rate-limit", "turn-open", "turn-close")) {
            assertThat(after.getOrDefault(operation, 0.0) - before.getOrDefault(operation, 0.0))
                    .as(operation).isEqualTo(1.0);
        }
        for (String operation : List.of("turn-slot", "cache-read", "cache-append", "cache-fill", "rate-limit-charge")) {
            assertThat(after.getOrDefault(operation, 0.0)).as(operation)
                    .isEqualTo(before.getOrDefault(operation, 0.0));
        }
        assertThat(running()).isZero();
        assertThat(RedisKeys.command(Command.GET, cacheKey(id, "version")).toString()).startsWith("4 ");
        assertThat(RedisKeys.command(Command.LLEN, cacheKey(id, "messages")).toInteger()).isEqualTo(4);
        assertThat(budgetTokens()).isLessThan(tokensBefore);
    }

    @Test
    void aRedisThatForgotItsScriptsGetsEveryCallOfTheTurnOnceAndOnlyOnce() throws Exception {
        upstream.behave(UpstreamBehavior.reply("x", "y"));
        String id = conversation();
        turn(id, "first").statusCode(201);
        Map<String, String> budget = budget();
        // As after a restart or a failover: every EVALSHA of the next turn is answered NOSCRIPT.
        RedisKeys.command(Command.SCRIPT, "FLUSH");

        turn(id, "second").statusCode(201);

        assertThat(running()).isZero();
        assertThat(RedisKeys.command(Command.GET, cacheKey(id, "version")).toString()).startsWith("4 ");
        assertThat(RedisKeys.command(Command.LLEN, cacheKey(id, "messages")).toInteger()).isEqualTo(4);
        // The budget lost the reply's tokens once (and won back 1 token a second meanwhile, up to its capacity).
        double used = Double.parseDouble(Sql.text("select total_tokens from messages where conversation_id = '" + id
                + "' and message_type = 'assistant' order by created_at desc limit 1"));
        Map<String, String> now = budget();
        double refilled = (Double.parseDouble(now.get("at")) - Double.parseDouble(budget.get("at"))) / 1_000_000.0;
        double expected = Math.min(60, Double.parseDouble(budget.get("tokens")) + refilled) - used;
        assertThat(Double.parseDouble(now.get("tokens"))).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.01));
    }

    private Map<String, Double> roundTrips() {
        Map<String, Double> counts = new java.util.HashMap<>();
        registry.find("chatbot.redis.round.trips").timers()
                .forEach(timer -> counts.put(timer.getId().getTag("operation"), (double) timer.count()));
        return counts;
    }

    private String cacheKey(String id, String part) {
        return "chatbot:" + tenant + ":conv:{" + id + "}:" + part;
    }

    private Map<String, String> budget() {
        io.vertx.redis.client.Response fields = RedisKeys.command(Command.HMGET, RateLimiter.prefix(tenant)
                + "llm-tokens", "tokens", "at");
        return Map.of("tokens", fields.get(0).toString(), "at", fields.get(1).toString());
    }

    private double budgetTokens() {
        return Double.parseDouble(budget().get("tokens"));
    }

    private long running() {
        return RedisKeys.command(Command.ZCARD, TurnSlots.key(new Caller(tenant, user))).toLong();
    }

    private SseClient stream(String id) throws Exception {
        return SseClient.post(RestAssured.port, "/api/v1/conversations/" + id + "/messages", user, "text/event-stream",
                "{\"content\":\"hi\"}", Map.of("X-Tenant-ID", tenant));
    }

    private String conversation() {
        return caller().contentType(ContentType.JSON).body(Map.of()).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    private ValidatableResponse turn(String id, String content) {
        return caller().contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id).then();
    }

    private RequestSpecification caller() {
        return as(tenant, user);
    }
}
