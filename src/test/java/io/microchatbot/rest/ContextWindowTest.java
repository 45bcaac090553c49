package io.microchatbot.rest;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.llm.TokenCounter;
import io.microchatbot.testing.Api;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonArray;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

@QuarkusTest
@TestProfile(ContextWindowTest.SmallWindow.class)
@QuarkusTestResource(FakeLlmResource.class)
class ContextWindowTest {

    /**
     * A 400-token window with 100 reserved for the reply, so that a few turns overflow it; compaction is off, this is
     * the trimming it falls back to (CompactionTest covers it).
     */
    public static class SmallWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chatbot.llm.context-window", "400", "chatbot.llm.max-tokens", "100",
                    "chatbot.compaction.enabled", "false");
        }
    }

    @Inject
    TokenCounter tokens;

    private final FakeLlmServer upstream = FakeLlmResource.server();

    @AfterEach
    void resetUpstream() {
        upstream.reset();
    }

    @Test
    void promptKeepsTheSystemPromptAndTheNewestMessagesThatFitDroppingTheOldestWhole() {
        String user = newUser();
        String id = conversation(as(user), Map.of("system_prompt", "You answer in one sentence."));
        for (int i = 1; i <= 8; i++) {
            Api.turn(user, id, "Message number " + i + ": " + "lorem ipsum dolor sit amet ".repeat(6));
        }

        JsonArray prompt = upstream.lastRequest().body().getJsonArray("messages");
        assertThat(prompt.getJsonObject(0).getString("role")).isEqualTo("system");
        assertThat(prompt.getJsonObject(prompt.size() - 1).getString("content")).startsWith("Message number 8:");
        assertThat(prompt.size()).isLessThan(1 + 15); // the history did not all fit
        assertThat(prompt.stream().map(Object::toString).filter(m -> m.contains("Message number 1:"))).isEmpty();
        int used = 3;
        for (int i = 0; i < prompt.size(); i++) {
            used += tokens.count(prompt.getJsonObject(i).getString("content")) + 3;
        }
        assertThat(used).isLessThanOrEqualTo(400 - 100);
        // roles alternate from the oldest kept message on: nothing was cut in the middle of a turn's pair
        List<String> roles = prompt.stream().skip(1).map(m -> ((io.vertx.core.json.JsonObject) m).getString("role")).toList();
        assertThat(roles.get(roles.size() - 1)).isEqualTo("user");
    }

    @Test
    void messageThatCannotFitTheWindowIsRefusedAndNothingIsStored() {
        String user = newUser();
        String id = conversation(user);
        String huge = "antidisestablishmentarianism quantum zebra ".repeat(120);

        as(user).contentType(ContentType.JSON).body(Map.of("content", huge))
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400)
                .body("code", equalTo("context_window_exceeded"));
        as(user).get("/api/v1/conversations/{id}/messages", id).then().body("total_count", is(0));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void systemPromptThatLeavesNoRoomForMessagesIsRefused() {
        String user = newUser();
        String prompt = "Always answer with extreme verbosity and many words. ".repeat(30);

        as(user).contentType(ContentType.JSON).body(Map.of("system_prompt", prompt))
                .post("/api/v1/conversations")
                .then().statusCode(400)
                .body("code", equalTo("context_window_exceeded"));
        String id = conversation(user);
        as(user).contentType(ContentType.JSON).body(Map.of("system_prompt", prompt))
                .patch("/api/v1/conversations/{id}", id)
                .then().statusCode(400)
                .body("code", equalTo("context_window_exceeded"));
        as(user).get("/api/v1/conversations/{id}", id).then().body("system_prompt", org.hamcrest.Matchers.nullValue());
    }
}
