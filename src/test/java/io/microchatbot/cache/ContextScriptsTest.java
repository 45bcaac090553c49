package io.microchatbot.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.redis.LuaScript;
import io.microchatbot.redis.Scripts;
import io.microchatbot.testing.RedisKeys;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Response;

import static org.assertj.core.api.Assertions.assertThat;

/** The cache's scripts against the real Redis: the races they settle, written as the interleavings that cause them. */
class ContextScriptsTest {

    private static final Redis REDIS = Redis.createClient(Vertx.vertx(), "redis://127.0.0.1:6379");
    private final String tenant = "tenant-" + UUID.randomUUID();
    private final List<String> keys = ContextCache.keys(tenant, UUID.randomUUID());

    @AfterEach
    void cleanUp() {
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void aFillOfAnOlderStateNeverReplacesANewerOne() {
        assertThat(run("context-fill", "5", "500", "60000", "m5", "m4").toInteger()).isEqualTo(1);
        // A turn that read the state at 3 and was slow to write it loses.
        assertThat(run("context-fill", "3", "300", "60000", "m3").toInteger()).isEqualTo(0);
        assertThat(read(5)).containsExactly("m5", "m4");
        assertThat(read(3)).isNull();
    }

    @Test
    void anAppendThatMissedAWriteDropsTheEntryInsteadOfShowingAGap() {
        run("context-fill", "2", "200", "60000", "m2", "m1");
        // Message 3 was written by someone who did not tell the cache; message 4 arrives.
        assertThat(run("context-append", "4", "400", "m4", "10", "60000").toInteger()).isEqualTo(-1);
        assertThat(RedisKeys.matching(keys.get(0))).isEmpty();
        assertThat(read(4)).isNull();
    }

    @Test
    void aLateReplyOlderThanTheNewestMessageDropsTheEntry() {
        run("context-fill", "2", "200", "60000", "m2", "m1");
        // Count 3 is right, but the message sorts before the newest one: appending it would misorder the list.
        assertThat(run("context-append", "3", "150", "late", "10", "60000").toInteger()).isEqualTo(-1);
        assertThat(read(3)).isNull();
    }

    @Test
    void anAppendAlreadyIncludedByAFillIsANoOpAndTheListIsTrimmed() {
        run("context-fill", "3", "300", "60000", "m3", "m2", "m1");
        assertThat(run("context-append", "3", "300", "m3", "3", "60000").toInteger()).isEqualTo(0);
        assertThat(run("context-append", "4", "400", "m4", "3", "60000").toInteger()).isEqualTo(1);
        assertThat(read(4)).containsExactly("m4", "m3", "m2");
    }

    @Test
    void nothingIsAppendedToAConversationThatIsNotCached() {
        assertThat(run("context-append", "1", "100", "m1", "10", "60000").toInteger()).isEqualTo(0);
        assertThat(RedisKeys.matching("chatbot:" + tenant + ":*")).isEmpty();
    }

    private List<String> read(long count) {
        Response answer = run("context-read", Long.toString(count), "60000");
        if (answer.get(0).toInteger() != 1) {
            return null;
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < answer.get(1).size(); i++) {
            items.add(answer.get(1).get(i).toString());
        }
        return items;
    }

    private Response run(String script, String... args) {
        return Scripts.run(REDIS, LuaScript.load(script), keys, List.of(args)).await().atMost(Duration.ofSeconds(5));
    }
}
