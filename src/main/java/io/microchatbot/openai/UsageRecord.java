package io.microchatbot.openai;

import io.microchatbot.llm.LlmUsage;
import io.microchatbot.security.Access;

/**
 * The tokens one answered call used, and whose they were: a row of {@code usage_records}. {@code apiKeyId} is null
 * for callers that came without a key; {@code source} names the door ({@code openai}).
 */
public record UsageRecord(String tenantId, String userId, String apiKeyId, String source, String model,
        String provider, LlmUsage usage) {

    public static final String OPENAI = "openai";

    static UsageRecord openAi(Access access, String model, String provider, LlmUsage usage) {
        return new UsageRecord(access.caller().tenantId(), access.caller().userId(), access.apiKeyId(), OPENAI, model,
                provider, usage);
    }
}
