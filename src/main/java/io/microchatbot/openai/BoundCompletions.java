package io.microchatbot.openai;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.microchatbot.Deadline;
import io.microchatbot.Message;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.generation.GenerationJson;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.FirstToken;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.Sampling;
import io.microchatbot.llm.Tool;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.microchatbot.security.Access;
import io.microchatbot.service.ChatService;
import io.microchatbot.service.TurnEvent;
import io.microchatbot.service.UserInput;
import io.microchatbot.tools.ToolCalls;
import io.microchatbot.validation.TurnRequests;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A chat completion bound to a stored conversation ({@code X-Conversation-ID}): a turn of that conversation, run by
 * the same {@link ChatService} as {@code POST /api/v1/conversations/{id}/messages}. Only the request's last
 * message is new: a user message, or the tool results that end it; the history comes from the service, so the
 * request's earlier messages (its system message included) are not read. Its tools, tool choice, response format
 * and sampling are the turn's. The exchange is stored, cached and published like any turn.
 */
@ApplicationScoped
public class BoundCompletions {

    private final ChatService chat;
    private final TurnRequests turns;
    private final ObjectMapper json;
    private final ModelAllowList models;

    BoundCompletions(ChatService chat, TurnRequests turns, ObjectMapper json, ModelAllowList models) {
        this.models = models;
        this.chat = chat;
        this.turns = turns;
        this.json = json;
    }

    /** The completion mode of one conversation. */
    CompletionMode of(UUID conversationId) {
        return new CompletionMode() {
            @Override
            public Uni<LlmCompletion> complete(Access access, ChatCompletionCall call, Deadline deadline) {
                return chat.send(access.caller(), conversationId, input(access, call.request()), deadline)
                        .map(turn -> completion(turn.assistantMessage()));
            }

            @Override
            public Uni<Multi<LlmChunk>> stream(Access access, ChatCompletionCall call, Deadline deadline) {
                return chat.stream(access.caller(), conversationId, input(access, call.request()), deadline)
                        .chain(events -> FirstToken.open(events
                                .filter(event -> !(event instanceof TurnEvent.UserMessageStored))
                                .onItem().transformToUniAndConcatenate(BoundCompletions::chunk)));
            }
        };
    }

    /**
     * What the request adds to the conversation: its last user message, or the tool results at its end, with its
     * generation options, checked by the same {@link TurnRequests} as a turn of the conversation API (so its limits
     * and its field names apply).
     */
    UserInput input(Access access, LlmRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        ArrayNode results = null;
        String content = null;
        if ("tool".equals(last.role())) {
            results = json.createArrayNode();
            for (int i = messages.size() - 1; i >= 0 && "tool".equals(messages.get(i).role()); i--) {
                results.insert(0, json.createObjectNode().put("tool_call_id", messages.get(i).toolCallId())
                        .put("content", messages.get(i).content()));
            }
        } else if ("user".equals(last.role())) {
            content = last.content();
        } else {
            throw new ApiException(ErrorCode.validation_failed, "A completion bound to a conversation sends one new"
                    + " message last: a user message, or the results of the last reply's tool calls", null,
                    List.of(new FieldError("messages[" + (messages.size() - 1) + "].role", "must be user or tool"
                            + " with X-Conversation-ID")));
        }
        Sampling sampling = request.sampling();
        ArrayNode tools = null;
        if (!request.tools().isEmpty()) {
            tools = json.createArrayNode();
            for (Tool tool : request.tools()) {
                tools.add(GenerationJson.tool(tool));
            }
        }
        return turns.input(new SendMessageRequest(content, results, null, null, request.model(),
                sampling.temperature(), sampling.topP(), sampling.maxTokens(), sampling.stop(), sampling.seed(),
                sampling.user(), tools,
                request.toolChoice() == null ? null : GenerationJson.toolChoice(request.toolChoice()),
                request.responseFormat() == null ? null : GenerationJson.responseFormat(request.responseFormat())))
                .allowingOnly(models.restriction(Requester.of(access)))
                .byKey(access.apiKeyId());
    }

    private static LlmCompletion completion(Message reply) {
        return new LlmCompletion(reply.content, ToolCalls.fromJson(reply.toolCalls), reply.model, reply.provider,
                reply.finishReason, usage(reply), 1);
    }

    private static LlmUsage usage(Message reply) {
        if (reply.totalTokens == null) {
            return new LlmUsage(0, reply.contentTokens, reply.contentTokens);
        }
        return new LlmUsage(reply.promptTokens, reply.completionTokens, reply.totalTokens);
    }

    /** A turn's event as the door relays it; a turn that did not end complete fails the stream with its cause. */
    private static Uni<LlmChunk> chunk(TurnEvent event) {
        return switch (event) {
            case TurnEvent.Delta delta -> Uni.createFrom().item(new LlmChunk.Delta(delta.content()));
            case TurnEvent.ToolCallDelta delta -> Uni.createFrom().item(new LlmChunk.ToolCallDelta(delta.index(),
                    delta.id(), delta.name(), delta.arguments()));
            case TurnEvent.Completed completed -> Uni.createFrom().item(new LlmChunk.Finished(completed.reply().model,
                    completed.reply().finishReason, usage(completed.reply()), 1, completed.reply().provider));
            case TurnEvent.Incomplete incomplete -> Uni.createFrom().failure(incomplete.cause());
            case TurnEvent.Invalid invalid -> Uni.createFrom().failure(invalid.cause());
            case TurnEvent.Failed failed -> Uni.createFrom().failure(failed.cause());
            case TurnEvent.UserMessageStored ignored -> Uni.createFrom().nullItem();
        };
    }
}
