package io.microchatbot.grpc;

import java.time.Instant;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.grpc.v1.ListConversationsResponse;
import io.microchatbot.grpc.v1.ListMessagesResponse;
import io.microchatbot.grpc.v1.MessageType;
import io.microchatbot.grpc.v1.Problem;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.Usage;
import io.microchatbot.problem.ApiException;
import io.microchatbot.service.Page;
import io.microchatbot.service.TurnResult;
import io.microchatbot.tools.ToolCalls;

/** The domain as the proto's messages, field for field as REST's views ({@code io.microchatbot.api}). */
final class ProtoViews {

    private static final JsonFormat.Parser JSON = JsonFormat.parser();

    private ProtoViews() {
    }

    static io.microchatbot.grpc.v1.Conversation conversation(Conversation c) {
        var view = io.microchatbot.grpc.v1.Conversation.newBuilder()
                .setId(c.id.toString())
                .setMessageCount(c.messageCount)
                .setCreatedAt(timestamp(c.createdAt))
                .setUpdatedAt(timestamp(c.updatedAt));
        if (c.title != null) {
            view.setTitle(c.title);
        }
        if (c.systemPrompt != null) {
            view.setSystemPrompt(c.systemPrompt);
        }
        if (c.model != null) {
            view.setModel(c.model);
        }
        if (c.metadata != null) {
            view.setMetadata(struct(c.metadata));
        }
        return view.build();
    }

    static io.microchatbot.grpc.v1.Message message(Message m) {
        var view = io.microchatbot.grpc.v1.Message.newBuilder()
                .setId(m.id.toString())
                .setConversationId(m.conversationId.toString())
                .setUserId(m.userId)
                .setContent(m.content)
                .setMessageType(type(m.messageType))
                .setCreatedAt(timestamp(m.createdAt))
                .setUpdatedAt(timestamp(m.updatedAt));
        if (m.metadata != null) {
            view.setMetadata(struct(m.metadata));
        }
        ToolCalls.fromJson(m.toolCalls).forEach(call -> view.addToolCalls(io.microchatbot.grpc.v1.ToolCall.newBuilder()
                .setId(call.id() == null ? "" : call.id())
                .setName(call.name() == null ? "" : call.name())
                .setArguments(call.arguments() == null ? "" : call.arguments())));
        if (m.toolCallId != null) {
            view.setToolCallId(m.toolCallId);
        }
        if (m.isSummary()) {
            view.setKind(m.kind).setSummary(io.microchatbot.grpc.v1.SummaryRange.newBuilder()
                    .setFromMessageId(m.coversFromId.toString())
                    .setToMessageId(m.coversToId.toString())
                    .setMessageCount(m.coversCount));
        }
        return view.build();
    }

    static Usage usage(Message reply) {
        var usage = Usage.newBuilder();
        if (reply.promptTokens != null) {
            usage.setPromptTokens(reply.promptTokens);
        }
        if (reply.completionTokens != null) {
            usage.setCompletionTokens(reply.completionTokens);
        }
        if (reply.totalTokens != null) {
            usage.setTotalTokens(reply.totalTokens);
        }
        return usage.build();
    }

    static SendMessageResponse turn(TurnResult turn) {
        var response = SendMessageResponse.newBuilder()
                .setUserMessage(message(turn.userMessage()))
                .setAssistantMessage(message(turn.assistantMessage()))
                .setUsage(usage(turn.assistantMessage()));
        if (turn.assistantMessage().model != null) {
            response.setModel(turn.assistantMessage().model);
        }
        return response.build();
    }

    static ListConversationsResponse conversations(Page<Conversation> page) {
        var response = ListConversationsResponse.newBuilder().setHasMore(page.hasMore());
        page.items().forEach(c -> response.addConversations(conversation(c)));
        if (page.nextCursor() != null) {
            response.setNextCursor(page.nextCursor());
        }
        return response.build();
    }

    static ListMessagesResponse messages(Page<Message> page) {
        var response = ListMessagesResponse.newBuilder()
                .setTotalCount(page.totalCount())
                .setHasMore(page.hasMore());
        page.items().forEach(m -> response.addMessages(message(m)));
        if (page.nextCursor() != null) {
            response.setNextCursor(page.nextCursor());
        }
        return response.build();
    }

    static Problem problem(ApiException cause, String correlationId) {
        var problem = Problem.newBuilder()
                .setCode(cause.code().name())
                .setTitle(cause.code().title())
                .setDetail(cause.getMessage() == null ? "" : cause.getMessage())
                .setStatus(cause.code().status());
        cause.retryAfterSeconds().ifPresent(problem::setRetryAfterSeconds);
        if (correlationId != null) {
            problem.setCorrelationId(correlationId);
        }
        return problem.build();
    }

    private static MessageType type(io.microchatbot.MessageType type) {
        return switch (type) {
            case user -> MessageType.MESSAGE_TYPE_USER;
            case assistant -> MessageType.MESSAGE_TYPE_ASSISTANT;
            case system -> MessageType.MESSAGE_TYPE_SYSTEM;
            case tool -> MessageType.MESSAGE_TYPE_TOOL;
        };
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** Stored metadata is a JSON object (validated on the way in), so it always reads as a Struct. */
    private static Struct struct(String json) {
        Struct.Builder struct = Struct.newBuilder();
        try {
            JSON.merge(json, struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Stored metadata is not a JSON object", e);
        }
        return struct.build();
    }
}
