package io.microchatbot.openai;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.microchatbot.ratelimit.LowLimitsProfile;
import io.microchatbot.ratelimit.RateLimitFilter;
import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisKeys;
import io.microchatbot.testing.RedisProxyResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import static io.microchatbot.openai.OpenAiCalls.COMPLETIONS;
import static io.microchatbot.openai.OpenAiCalls.as;
import static io.microchatbot.openai.OpenAiCalls.body;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

/** Chat completions take from the turn buckets (3 in a burst here), model lists from the read ones. */
@QuarkusTest
@TestProfile(LowLimitsProfile.class)
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class OpenAiRateLimitTest {

    private final FakeLlmServer upstream = FakeLlmResource.server();
    private final String tenant = newTenant();
    private final String user = newUser();

    @AfterEach
    void cleanUp() {
        RedisProxyResource.restoreForTheNextTest();
        upstream.reset();
        RedisKeys.deleteTenant(tenant);
    }

    @Test
    void completionsBeyondTheTurnBurstAre429WithRetryAfterAndTheRateLimitError() {
        for (int i = 0; i < 3; i++) {
            as(tenant, user).body(body("m" + i).encode()).post(COMPLETIONS).then().statusCode(200)
                    .header(RateLimitFilter.LIMIT, "3").header(RateLimitFilter.REMAINING, String.valueOf(2 - i));
        }
        int called = upstream.received().size();
        as(tenant, user).body(body("one too many").encode()).post(COMPLETIONS).then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("\\d+"))
                .body("code", equalTo("rate_limited"))
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("rate_limited"));
        assertThat(upstream.received()).hasSize(called);
        // Reads have a bucket of their own.
        as(tenant, user).get("/v1/models").then().statusCode(200).header(RateLimitFilter.LIMIT, "5");
    }
}
