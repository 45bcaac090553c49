package io.microchatbot.identity;

/** Who is calling: every read and write is scoped to this pair. */
public record Caller(String tenantId, String userId) {
}
