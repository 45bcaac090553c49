package io.microchatbot.service;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.generation.Parameters;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.tools.ToolCalls;

/**
 * Builds stored replies and their metadata, the one shape the API shows whether a turn stored its own reply or
 * the recovery job settled an interrupted turn.
 */
@ApplicationScoped
class Replies {

    private final TokenCounter tokens;
    private final ObjectMapper json;

    Replies(TokenCounter tokens, ObjectMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    /** An assistant message answering {@code user}, as it is to be stored, with the parameters it was asked with. */
    Message reply(Message user, ReplyOutcome outcome, Parameters parameters, Instant now) {
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.conversationId = user.conversationId;
        message.tenantId = user.tenantId;
        message.userId = user.userId;
        message.messageType = MessageType.assistant;
        message.status = outcome.status();
        message.content = outcome.content();
        message.toolCalls = ToolCalls.toJson(outcome.toolCalls());
        message.contentTokens = outcome.usage() != null && outcome.status() == MessageStatus.complete
                ? outcome.usage().completionTokens()
                : tokens.count(outcome.content()) + (message.toolCalls == null ? 0 : tokens.count(message.toolCalls));
        message.model = outcome.model();
        message.provider = outcome.provider();
        message.finishReason = outcome.finishReason();
        if (outcome.usage() != null) {
            message.promptTokens = outcome.usage().promptTokens();
            message.completionTokens = outcome.usage().completionTokens();
            message.totalTokens = outcome.usage().totalTokens();
        }
        message.latencyMs = outcome.latencyMs();
        message.metadata = replyMetadata(message, outcome, parameters);
        message.createdAt = now;
        message.updatedAt = now;
        return message;
    }

    /** What the API shows of a reply's generation, in its metadata object. */
    private String replyMetadata(Message message, ReplyOutcome outcome, Parameters parameters) {
        ObjectNode node = json.createObjectNode();
        node.put("status", message.status.name());
        node.put("model", message.model);
        node.put("provider", message.provider);
        node.put("finish_reason", message.finishReason);
        if (outcome.usage() != null) {
            ObjectNode usage = node.putObject("usage");
            usage.put("prompt_tokens", outcome.usage().promptTokens());
            usage.put("completion_tokens", outcome.usage().completionTokens());
            usage.put("total_tokens", outcome.usage().totalTokens());
        }
        if (outcome.attempts() > 0) {
            node.put("attempts", outcome.attempts());
        }
        if (outcome.latencyMs() != null) {
            node.put("latency_ms", outcome.latencyMs());
        }
        if (outcome.timeToFirstTokenMs() != null) {
            node.put("time_to_first_token_ms", outcome.timeToFirstTokenMs());
        }
        if (parameters != null && !parameters.isEmpty()) {
            node.set("parameters", json.valueToTree(parameters));
        }
        if (!outcome.partialToolCalls().isEmpty()) {
            node.set("partial_tool_calls", json.valueToTree(outcome.partialToolCalls()));
        }
        if (outcome.error() != null) {
            ObjectNode error = node.putObject("error");
            error.put("code", outcome.error().code().name());
            error.put("detail", outcome.error().getMessage());
        }
        return node.toString();
    }
}
