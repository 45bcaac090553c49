package io.microchatbot.usage;

import java.util.UUID;

import io.microchatbot.llm.LlmUsage;

/**
 * What one paid provider call used and cost, and whose it was: a row of {@code usage_records}. {@code apiKeyId} is
 * null for callers that came without a key; {@code source} names the door ({@code turn} or {@code openai}) or
 * {@code compaction} (a history summary);
 * {@code estimated} says the tokens were counted here because the provider reported none (a stream cut short);
 * {@code conversationId} and {@code messageId} name a turn's reply, null for the stateless door.
 */
public record Spend(String tenantId, String userId, String apiKeyId, String source, String model, String provider,
        LlmUsage usage, long costMicros, boolean estimated, UUID conversationId, UUID messageId) {

    public static final String TURN = "turn";
    public static final String OPENAI = "openai";
    public static final String COMPACTION = "compaction";

    /** Nothing was paid for: no row, no charge. */
    public boolean free() {
        return usage == null || usage.totalTokens() <= 0 && costMicros <= 0;
    }
}
