package io.microchatbot.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.microchatbot.testing.Sql;
import io.microchatbot.testing.UpstreamBehavior;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.redis.client.Command;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class ContextCacheTest {

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
    void turnOnAWarmConversationReadsNoMessageRowsFromPostgres() {
        String id = conversation(caller(), Map.of());
        turn(id, "first");

        double before = rowsRead();
        turn(id, "second");
        assertThat(rowsRead()).isEqualTo(before);
        // The context still holds the whole history, in order.
        assertThat(upstream.lastRequest().body().getJsonArray("messages").stream()
                .map(m -> ((io.vertx.core.json.JsonObject) m).getString("content")).toList())
                .containsExactly("first", replyText(), "second");
    }

    @Test
    void coldConversationLoadsFromPostgresAndWarmsTheCache() throws Exception {
        String id = conversation(caller(), Map.of());
        turn(id, "first");
        RedisKeys.deleteTenant(tenant);

        double before = rowsRead();
        turn(id, "second");
        assertThat(rowsRead()).isEqualTo(before + 2);
        assertThat(RedisKeys.command(Command.GET, key(id, "version")).toString()).startsWith("4 ");
        assertThat(RedisKeys.command(Command.LLEN, key(id, "messages")).toInteger()).isEqualTo(4);
        assertThat(RedisKeys.command(Command.PTTL, key(id, "messages")).toLong()).isBetween(1L, 3_600_000L);
    }

    @Test
    void firstPageOfMessagesComesFromTheCacheInBothOrdersAndMatchesPostgres() throws Exception {
        String id = conversation(caller(), Map.of());
        turn(id, "one");
        turn(id, "two");

        double before = rowsRead();
        List<String> newestFirst = page(id, "desc", 3);
        List<String> oldestFirst = page(id, "asc", 10);
        assertThat(rowsRead()).isEqualTo(before);
        assertThat(newestFirst).isEqualTo(idsInPostgres(id, "desc").subList(0, 3));
        assertThat(oldestFirst).isEqualTo(idsInPostgres(id, "asc"));
        // Later pages are read from PostgreSQL.
        String cursor = caller().get("/api/v1/conversations/{id}/messages?limit=3&order=desc", id)
                .then().statusCode(200).extract().path("next_cursor");
        assertThat(caller().get("/api/v1/conversations/{id}/messages?limit=3&order=desc&cursor=" + cursor, id)
                .then().statusCode(200).extract().<List<String>> path("messages.id"))
                .isEqualTo(idsInPostgres(id, "desc").subList(3, 4));
    }

    @Test
    void aMessageWrittenWithoutTheCacheIsNeverHidden() throws Exception {
        String id = conversation(caller(), Map.of());
        turn(id, "one");
        // A writer that does not know the cache (like the recovery job): one more message and its count.
        String extra = UUID.randomUUID().toString();
        Sql.update("insert into messages (id, conversation_id, tenant_id, user_id, message_type, status, content,"
                + " metadata, content_tokens, created_at, updated_at) values ('" + extra + "', '" + id + "', '"
                + tenant + "', '" + user + "', 'user', 'complete', 'written elsewhere', '{}', 2, now() + interval '1 second',"
                + " now() + interval '1 second')",
                "update conversations set message_count = message_count + 1 where id = '" + id + "'");

        // A page small enough for the cached entry to answer it, if the entry's count were not checked.
        assertThat(page(id, "desc", 1)).containsExactly(extra);
        assertThat(page(id, "desc", 10)).isEqualTo(idsInPostgres(id, "desc"));
        // The next turn reads the context from PostgreSQL and sees it too.
        turn(id, "two");
        assertThat(upstream.lastRequest().body().getJsonArray("messages").encode()).contains("written elsewhere");
    }

    @Test
    void patchAndDeleteInvalidateTheConversationsEntry() {
        String id = conversation(caller(), Map.of());
        turn(id, "one");
        assertThat(RedisKeys.matching("chatbot:" + tenant + ":conv:{" + id + "}:*")).hasSize(2);

        caller().contentType("application/merge-patch+json").body("{\"title\":\"renamed\"}")
                .patch("/api/v1/conversations/{id}", id).then().statusCode(200);
        assertThat(RedisKeys.matching("chatbot:" + tenant + ":conv:{" + id + "}:*")).isEmpty();

        turn(id, "two");
        assertThat(RedisKeys.matching("chatbot:" + tenant + ":conv:{" + id + "}:*")).hasSize(2);
        caller().delete("/api/v1/conversations/{id}", id).then().statusCode(204);
        assertThat(RedisKeys.matching("chatbot:" + tenant + ":conv:{" + id + "}:*")).isEmpty();
        caller().get("/api/v1/conversations/{id}/messages", id).then().statusCode(404);
    }

    @Test
    void keysAreNamespacedByTenantAndAnotherTenantSeesNothing() {
        String id = conversation(caller(), Map.of());
        turn(id, "secret of tenant one");
        assertThat(RedisKeys.matching("chatbot:*:conv:{" + id + "}:*"))
                .allSatisfy(key -> assertThat(key).startsWith("chatbot:" + tenant + ":conv:"));

        String otherTenant = newTenant();
        as(otherTenant, user).get("/api/v1/conversations/{id}/messages", id).then().statusCode(404);
        as(otherTenant, user).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(404);
        assertThat(RedisKeys.matching("chatbot:" + otherTenant + ":*")).isEmpty();
    }

    @Test
    void concurrentTurnsPatchesAndReadsNeverShowAnUncommittedMessageNorHideACommittedOne() throws Exception {
        upstream.behave(UpstreamBehavior.reply("ok").latency(java.time.Duration.ofMillis(5)));
        List<String> ids = List.of(conversation(caller(), Map.of()), conversation(caller(), Map.of()));
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String id = ids.get(i % 2);
                int n = i;
                // Turns race each other (most lose with 409 and roll back), a PATCH invalidates meanwhile.
                work.add(pool.submit(() -> caller().contentType(ContentType.JSON).body(Map.of("content", "m" + n))
                        .post("/api/v1/conversations/{id}/messages", id).then().extract().statusCode()));
                work.add(pool.submit(() -> seen.addAll(page(id, "desc", 2))));
                if (n % 6 == 0) {
                    work.add(pool.submit(() -> caller().contentType("application/merge-patch+json")
                            .body("{\"title\":\"t" + n + "\"}").patch("/api/v1/conversations/{id}", id)
                            .then().statusCode(200)));
                }
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> committed = new ArrayList<>();
        for (String id : ids) {
            assertThat(page(id, "desc", 2)).isEqualTo(idsInPostgres(id, "desc").subList(0, 2));
            turn(id, "settle");
            List<String> inPostgres = idsInPostgres(id, "desc");
            assertThat(page(id, "desc", 100)).isEqualTo(inPostgres);
            assertThat(page(id, "asc", 100)).isEqualTo(inPostgres.reversed());
            committed.addAll(inPostgres);
        }
        assertThat(committed).containsAll(seen);
    }

    @Test
    void redisCutOrHungMidTestTurnsAndReadsStillWorkFromPostgres() throws Exception {
        String id = conversation(caller(), Map.of());
        turn(id, "before");
        double errors = cacheErrors();

        RedisProxyResource.cut();
        // Still ready: no request needs Redis. Its state is in the readiness data.
        io.restassured.RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.find { it.name == 'redis' }.data.status", org.hamcrest.Matchers.equalTo("degraded"));
        turn(id, "while redis is down");
        assertThat(page(id, "desc", 10)).isEqualTo(idsInPostgres(id, "desc"));
        RedisProxyResource.restore();

        RedisProxyResource.stall();
        turn(id, "while redis hangs");
        assertThat(page(id, "asc", 10)).isEqualTo(idsInPostgres(id, "asc"));
        RedisProxyResource.restore();
        assertThat(cacheErrors()).isGreaterThan(errors);

        // Back: after the pause the cache is used again, and it never served the state it missed.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            turn(id, "after");
            assertThat(RedisKeys.command(Command.GET, key(id, "version"))).isNotNull();
        });
        assertThat(page(id, "desc", 100)).isEqualTo(idsInPostgres(id, "desc"));
    }

    @Test
    void aRedisOutageIsLoggedOncePerIntervalNotOncePerRequest() throws Exception {
        String id = conversation(caller(), Map.of());
        java.nio.file.Path log = java.nio.file.Path.of("target/quarkus-test.log");
        long from = java.nio.file.Files.size(log);
        RedisProxyResource.cut();
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            page(id, "desc", 5);
        }
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        RedisProxyResource.restore();
        String written = java.nio.file.Files.readString(log).substring((int) from);
        long lines = written.lines().filter(line -> line.contains("Redis unavailable")).count();
        // 10 requests, 2 to 3 Redis commands each; the test profile's interval is 1 s.
        assertThat(lines).isBetween(1L, seconds + 2);
        assertThat(cacheErrors()).isPositive();
    }

    @Test
    void adminStatsShowTheHitRatePerNamespace() {
        String id = conversation(caller(), Map.of());
        turn(id, "one");
        turn(id, "two");
        page(id, "desc", 2);
        caller().get("/api/v1/admin/cache/stats").then().statusCode(200)
                .body("redis", org.hamcrest.Matchers.equalTo("in_use"))
                .body("namespaces.context.hits", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("namespaces.context.misses", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("namespaces.messages.hits", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("namespaces.context.hit_rate", org.hamcrest.Matchers.both(
                        org.hamcrest.Matchers.greaterThan(0f)).and(org.hamcrest.Matchers.lessThan(1f)));
        io.restassured.RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.data.status", org.hamcrest.Matchers.equalTo("up"));
        io.restassured.RestAssured.get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("chatbot_cache_requests_total{cache=\"context\",result=\"hit\"}"));
    }

    private RequestSpecification caller() {
        return as(tenant, user);
    }

    private void turn(String id, String content) {
        caller().contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);
    }

    private List<String> page(String id, String order, int limit) {
        return caller().get("/api/v1/conversations/{id}/messages?order=" + order + "&limit=" + limit, id)
                .then().statusCode(200)
                .extract().path("messages.id");
    }

    private List<String> idsInPostgres(String id, String order) throws Exception {
        String ids = Sql.text("select string_agg(id::text, ',' order by created_at " + order + ", id " + order
                + ") from messages where conversation_id = '" + id + "'");
        return ids == null ? List.of() : List.of(ids.split(","));
    }

    private String key(String id, String suffix) {
        return "chatbot:" + tenant + ":conv:{" + id + "}:" + suffix;
    }

    private String replyText() {
        return FakeLlmServer.defaultBehavior().text();
    }

    private double rowsRead() {
        return registry.get("chatbot.db.message.rows.read").counter().count();
    }

    private double cacheErrors() {
        return registry.find(CacheMetrics.NAME).tag("result", "error").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
