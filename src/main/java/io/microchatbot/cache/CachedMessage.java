package io.microchatbot.cache;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A stored message as it is kept in Redis: every column, times in microseconds (PostgreSQL's precision). */
@RegisterForReflection
record CachedMessage(
        UUID id,
        UUID conversationId,
        String tenantId,
        String userId,
        MessageType type,
        MessageStatus status,
        String content,
        String metadata,
        int contentTokens,
        String model,
        String provider,
        String finishReason,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        Long latencyMs,
        long createdAt,
        long updatedAt,
        // Absent from entries of messages without them, which are nearly all.
        @JsonInclude(JsonInclude.Include.NON_NULL) String toolCalls,
        @JsonInclude(JsonInclude.Include.NON_NULL) String toolCallId,
        // Only a summary has these.
        @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
        @JsonInclude(JsonInclude.Include.NON_NULL) UUID coversFromId,
        @JsonInclude(JsonInclude.Include.NON_NULL) UUID coversToId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long coversUntil,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer coversCount) {

    static CachedMessage of(Message m) {
        return new CachedMessage(m.id, m.conversationId, m.tenantId, m.userId, m.messageType, m.status, m.content,
                m.metadata, m.contentTokens, m.model, m.provider, m.finishReason, m.promptTokens, m.completionTokens,
                m.totalTokens, m.latencyMs, micros(m.createdAt), micros(m.updatedAt), m.toolCalls, m.toolCallId, m.kind,
                m.coversFromId, m.coversToId,
                m.coversUntil == null ? null : micros(m.coversUntil), m.coversCount);
    }

    /** A detached entity: read it, never persist it. */
    Message toMessage() {
        Message m = new Message();
        m.id = id;
        m.conversationId = conversationId;
        m.tenantId = tenantId;
        m.userId = userId;
        m.messageType = type;
        m.status = status;
        m.content = content;
        m.metadata = metadata;
        m.contentTokens = contentTokens;
        m.model = model;
        m.provider = provider;
        m.finishReason = finishReason;
        m.promptTokens = promptTokens;
        m.completionTokens = completionTokens;
        m.totalTokens = totalTokens;
        m.latencyMs = latencyMs;
        m.createdAt = instant(createdAt);
        m.updatedAt = instant(updatedAt);
        m.toolCalls = toolCalls;
        m.toolCallId = toolCallId;
        m.kind = kind;
        m.coversFromId = coversFromId;
        m.coversToId = coversToId;
        m.coversUntil = coversUntil == null ? null : instant(coversUntil);
        m.coversCount = coversCount;
        return m;
    }

    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
