package io.microchatbot.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Message;

/**
 * A message as existing clients read it. The field list is a contract: how a reply ended ({@code status}), its
 * model, usage and latency are in {@code metadata}. {@code tool_calls} (a reply asking for tools) and
 * {@code tool_call_id} (a tool result) appear only on the messages that have them, as do {@code kind}
 * ({@code summary}) and {@code summary} (the range it covers) on a system message that summarises earlier ones.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MessageView(
        UUID id,
        UUID conversationId,
        String userId,
        String content,
        String messageType,
        @JsonRawValue String metadata,
        Instant createdAt,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<ToolCallView> toolCalls,
        @JsonInclude(JsonInclude.Include.NON_NULL) String toolCallId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
        @JsonInclude(JsonInclude.Include.NON_NULL) SummaryRange summary) {

    public static MessageView of(Message m) {
        return new MessageView(m.id, m.conversationId, m.userId, m.content, m.messageType.name(), m.metadata,
                m.createdAt, m.updatedAt, ToolCallView.of(m.toolCalls), m.toolCallId, m.kind,
                m.isSummary() ? new SummaryRange(m.coversFromId, m.coversToId, m.coversCount) : null);
    }

    /** The messages a summary stands for in later prompts: from the oldest to the newest, this many of them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SummaryRange(UUID fromMessageId, UUID toMessageId, int messageCount) {
    }
}
