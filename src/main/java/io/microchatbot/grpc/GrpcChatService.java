package io.microchatbot.grpc;

import java.util.Optional;
import java.util.UUID;

import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.grpc.v1.CancelTurnRequest;
import io.microchatbot.grpc.v1.CancelTurnResponse;
import io.microchatbot.grpc.v1.Conversation;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.DeleteConversationRequest;
import io.microchatbot.grpc.v1.DeleteConversationResponse;
import io.microchatbot.grpc.v1.GetConversationRequest;
import io.microchatbot.grpc.v1.GetMessageRequest;
import io.microchatbot.grpc.v1.ListConversationsRequest;
import io.microchatbot.grpc.v1.ListConversationsResponse;
import io.microchatbot.grpc.v1.ListMessagesRequest;
import io.microchatbot.grpc.v1.ListMessagesResponse;
import io.microchatbot.grpc.v1.Message;
import io.microchatbot.grpc.v1.MutinyChatServiceGrpc;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.grpc.v1.UpdateConversationRequest;
import io.microchatbot.idempotency.Idempotency;
import io.microchatbot.idempotency.IdempotentRequest;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.pagination.PageSize;
import io.microchatbot.ratelimit.RequestKind;
import io.microchatbot.security.Scope;
import io.microchatbot.service.ChatService;
import io.microchatbot.service.ConversationService;
import io.microchatbot.service.UserInput;
import io.microchatbot.turns.TurnCancels;
import io.microchatbot.validation.TurnRequests;
import io.microchatbot.validation.Validation;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * {@code microchatbot.v1.ChatService} (src/main/proto, docs/grpc.md): each call admitted by {@link GrpcCalls},
 * its request checked as REST's is, then the same services as REST, their answers as the proto's messages. Writes
 * with {@code idempotency-key} metadata run through the same idempotency as REST's ({@link GrpcAnswers}).
 */
@GrpcService
public class GrpcChatService extends MutinyChatServiceGrpc.ChatServiceImplBase {

    private static final String SERVICE = "/microchatbot.v1.ChatService/";
    private static final String CONVERSATIONS = "/api/v1/conversations";

    private final GrpcCalls calls;
    private final GrpcAnswers answers;
    private final ProtoRequests requests;
    private final Validation validation;
    private final Idempotency idempotency;
    private final ConversationService conversations;
    private final ChatService chat;
    private final TurnRequests turnRequests;
    private final ModelAllowList models;
    private final TurnCancels cancels;

    GrpcChatService(GrpcCalls calls, GrpcAnswers answers, ProtoRequests requests, Validation validation,
            Idempotency idempotency, ConversationService conversations, ChatService chat, TurnRequests turnRequests,
            ModelAllowList models, TurnCancels cancels) {
        this.cancels = cancels;
        this.calls = calls;
        this.answers = answers;
        this.requests = requests;
        this.validation = validation;
        this.idempotency = idempotency;
        this.conversations = conversations;
        this.chat = chat;
        this.turnRequests = turnRequests;
        this.models = models;
    }

    @Override
    public Uni<Conversation> createConversation(CreateConversationRequest request) {
        return calls.unary(Scope.chat, RequestKind.read, call -> {
            var body = requests.conversation(request);
            var valid = validation.valid(body);
            if (valid.model() != null) {
                models.ensureAllowed(Requester.of(call.access()), valid.model(), "model");
            }
            var conversation = valid.toNewConversation(GenerationOptions.NONE);
            var idempotent = idempotency.request(call.idempotencyKey(), call.caller(), "POST", CONVERSATIONS,
                    answeredAs("CreateConversation"), body);
            return answers.unary(idempotent, () -> conversations.create(call.caller(), conversation)
                    .map(ProtoViews::conversation), Conversation.parser(), SERVICE + "CreateConversation");
        });
    }

    @Override
    public Uni<Conversation> getConversation(GetConversationRequest request) {
        return calls.unary(Scope.read, RequestKind.read, call -> conversations
                .get(call.caller(), ProtoRequests.id(request.getConversationId(), "conversation_id"))
                .map(ProtoViews::conversation));
    }

    @Override
    public Uni<ListConversationsResponse> listConversations(ListConversationsRequest request) {
        return calls.unary(Scope.read, RequestKind.read, call -> conversations
                .list(call.caller(), ProtoRequests.cursor(request.getCursor()),
                        PageSize.orDefault(request.getLimit(), "limit"))
                .map(ProtoViews::conversations));
    }

    @Override
    public Uni<Conversation> updateConversation(UpdateConversationRequest request) {
        return calls.unary(Scope.chat, RequestKind.read, call -> {
            UUID id = ProtoRequests.id(request.getConversationId(), "conversation_id");
            var patch = validation.valid(requests.patch(request));
            if (patch.model() != null && patch.model().isTextual()) {
                models.ensureAllowed(Requester.of(call.access()), patch.model().textValue(), "model");
            }
            var changes = patch.toChanges(GenerationOptions.NONE);
            return conversations.update(call.caller(), id, changes)
                    .map(ProtoViews::conversation);
        });
    }

    @Override
    public Uni<DeleteConversationResponse> deleteConversation(DeleteConversationRequest request) {
        return calls.unary(Scope.chat, RequestKind.read, call -> conversations
                .delete(call.caller(), ProtoRequests.id(request.getConversationId(), "conversation_id"))
                .map(ignored -> DeleteConversationResponse.getDefaultInstance()));
    }

    @Override
    public Uni<SendMessageResponse> sendMessage(SendMessageRequest request) {
        return calls.unary(Scope.chat, RequestKind.turn, call -> {
            Turn turn = turn(call, request, "SendMessage");
            return answers.unary(turn.idempotent(), () -> chat.send(call.caller(), turn.conversationId(),
                    turn.input(), call.deadline())
                    .map(ProtoViews::turn), SendMessageResponse.parser(), SERVICE + "SendMessage");
        });
    }

    @Override
    public Multi<SendMessageStreamResponse> sendMessageStream(SendMessageRequest request) {
        return calls.streaming(Scope.chat, RequestKind.turn, call -> {
            Turn turn = turn(call, request, "SendMessageStream");
            return answers.streaming(turn.idempotent(), () -> chat.stream(call.caller(), turn.conversationId(),
                    turn.input(), call.deadline())
                    .map(events -> TurnEvents.of(events, call.correlationId())), SendMessageStreamResponse.parser(),
                    SERVICE + "SendMessageStream");
        });
    }

    /**
     * A turn's request, checked as REST's is (the same {@link TurnRequests}, the model against the caller's
     * allow-list), with its key and fingerprint when it sends one.
     */
    private record Turn(UUID conversationId, UserInput input, Optional<IdempotentRequest> idempotent) {
    }

    private Turn turn(GrpcCalls.Call call, SendMessageRequest request, String rpc) {
        UUID conversationId = ProtoRequests.id(request.getConversationId(), "conversation_id");
        var body = requests.message(request);
        UserInput input = turnRequests.input(body).allowingOnly(models.restriction(Requester.of(call.access())))
                .byKey(call.access().apiKeyId());
        return new Turn(conversationId, input, idempotency.request(call.idempotencyKey(), call.caller(), "POST",
                messages(conversationId), answeredAs(rpc), body));
    }

    @Override
    public Uni<ListMessagesResponse> listMessages(ListMessagesRequest request) {
        return calls.unary(Scope.read, RequestKind.read, call -> conversations
                .messages(call.caller(), ProtoRequests.id(request.getConversationId(), "conversation_id"),
                        ProtoRequests.cursor(request.getCursor()), PageSize.orDefault(request.getLimit(), "limit"),
                        ProtoRequests.ascending(request.getOrder()))
                .map(ProtoViews::messages));
    }

    @Override
    public Uni<Message> getMessage(GetMessageRequest request) {
        return calls.unary(Scope.read, RequestKind.read, call -> conversations
                .message(call.caller(), ProtoRequests.id(request.getConversationId(), "conversation_id"),
                        ProtoRequests.id(request.getMessageId(), "message_id"))
                .map(ProtoViews::message));
    }

    @Override
    public Uni<CancelTurnResponse> cancelTurn(CancelTurnRequest request) {
        return calls.unary(Scope.chat, RequestKind.read, call -> cancels
                .cancel(call.caller(), ProtoRequests.id(request.getConversationId(), "conversation_id"),
                        ProtoRequests.id(request.getMessageId(), "message_id"))
                .map(GrpcChatService::cancelled));
    }

    private static CancelTurnResponse cancelled(TurnCancels.Cancelled cancelled) {
        CancelTurnResponse.Builder response = CancelTurnResponse.newBuilder().setSettled(cancelled.reply() != null);
        if (cancelled.reply() != null) {
            response.setReply(ProtoViews.message(cancelled.reply()));
        }
        return response.build();
    }

    /** The fingerprint's answer format: a key used for one RPC cannot be replayed to another, or to REST. */
    private static String answeredAs(String method) {
        return "application/grpc+proto;rpc=" + method;
    }

    private static String messages(UUID conversationId) {
        return CONVERSATIONS + "/" + conversationId + "/messages";
    }
}
