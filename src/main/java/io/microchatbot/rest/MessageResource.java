package io.microchatbot.rest;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.microchatbot.Deadline;
import io.microchatbot.api.MessagePageView;
import io.microchatbot.api.MessageView;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.api.TurnView;
import io.microchatbot.idempotency.Idempotency;
import io.microchatbot.idempotency.IdempotencyKey;
import io.microchatbot.idempotency.Outcome;
import io.microchatbot.identity.Caller;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.ratelimit.TurnRequest;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.service.ChatService;
import io.microchatbot.service.ConversationService;
import io.microchatbot.service.UserInput;
import io.microchatbot.validation.TurnRequests;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/** Messages of a conversation, and the chat turn that adds two of them. */
@Path("/api/v1/conversations/{id}/messages")
@Tag(name = "Messages")
public class MessageResource {

    private final ChatService chat;
    private final ConversationService conversations;
    private final TurnRequests turnRequests;
    private final ModelAllowList models;
    private final TurnEventsSse events;
    private final TurnRepresentation representation;
    private final Idempotency idempotency;
    private final Answers answers;
    private final CurrentCaller callers;

    MessageResource(ChatService chat, ConversationService conversations, TurnRequests turnRequests,
            TurnEventsSse events, TurnRepresentation representation, Idempotency idempotency, Answers answers,
            CurrentCaller callers, ModelAllowList models) {
        this.chat = chat;
        this.conversations = conversations;
        this.turnRequests = turnRequests;
        this.models = models;
        this.events = events;
        this.representation = representation;
        this.idempotency = idempotency;
        this.answers = answers;
        this.callers = callers;
    }

    /**
     * One chat turn. Answers 201 with both stored messages as JSON, or 200 with server-sent events when the caller
     * sends {@code Accept: text/event-stream} or {@code "stream": true}. Both are written by the same streaming
     * writer (see {@link TurnRepresentation}), so failures found before the reply starts (404, 409, 400) are
     * ordinary problem responses in either case. With an {@code Idempotency-Key} the turn runs at most once and
     * its answer is replayed to retries (see {@link Idempotency}).
     */
    @POST
    @TurnRequest
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(TurnRepresentation.INTERNAL_MEDIA_TYPE)
    @Operation(summary = "Send a message and get the reply (one chat turn), as JSON or as server-sent events")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, required = false, description = "Runs the turn at most once; retries get its recorded answer"
            + " (docs/api.md#idempotent-requests)")
    @APIResponse(responseCode = "201", description = "The stored user message and reply", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TurnView.class)))
    @APIResponse(responseCode = "200", description = "Server-sent events: message.created, message.delta…, then one"
            + " of message.completed, message.incomplete, error", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public Multi<String> send(@RestPath("id") UUID conversationId, SendMessageRequest body, HttpHeaders headers,
            RoutingContext routing, UriInfo uri) {
        var caller = callers.get();
        var message = turnRequests.input(body).allowingOnly(models.restriction(Requester.of(callers.access())))
                .byKey(callers.access().apiKeyId());
        var deadline = CallerDeadline.from(headers);
        boolean streamed = representation.streamed(routing, body);
        String path = "/api/v1/conversations/" + conversationId + "/messages";
        var key = IdempotencyKey.from(headers.getRequestHeader(IdempotencyKey.HEADER));
        var idempotent = idempotency.request(key, caller, "POST", path,
                streamed ? MediaType.SERVER_SENT_EVENTS : MediaType.APPLICATION_JSON, body);
        Uni<Answers.HttpAnswer> answer = idempotency.guard(idempotent,
                () -> streamed ? streamedTurn(caller, conversationId, message, deadline, path)
                        : jsonTurn(caller, conversationId, message, deadline, uri),
                uri.getPath())
                .map(answers::http);
        return RestMulti.fromUniResponse(answer, Answers.HttpAnswer::chunks, Answers.HttpAnswer::headers,
                Answers.HttpAnswer::status);
    }

    private Uni<Outcome> streamedTurn(Caller caller, UUID conversationId, UserInput message, Deadline deadline,
            String path) {
        return chat.stream(caller, conversationId, message, deadline)
                .map(turn -> new Outcome.Streaming(events.events(path, turn)));
    }

    private Uni<Outcome> jsonTurn(Caller caller, UUID conversationId, UserInput message, Deadline deadline,
            UriInfo uri) {
        return chat.send(caller, conversationId, message, deadline)
                .map(TurnView::of)
                .map(view -> new Outcome.Answered(answers.view(view), uri.getBaseUriBuilder()
                        .path("api/v1/conversations/{conversation}/messages/{message}")
                        .build(conversationId, view.assistantMessage().id()).toString()));
    }

    @GET
    @Path("/{messageId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read one message")
    public Uni<MessageView> get(@RestPath UUID id, @RestPath UUID messageId, HttpHeaders headers) {
        var caller = callers.get();
        return conversations.message(caller, id, messageId)
                .map(MessageView::of);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Page through a conversation's messages (keyset cursor)")
    public Uni<MessagePageView> list(@RestPath UUID id,
            @RestQuery @DefaultValue(Paging.DEFAULT_LIMIT) Paging.Limit limit, @RestQuery String cursor,
            @RestQuery @DefaultValue(Paging.ASCENDING) Paging.Order order, HttpHeaders headers) {
        return page(conversations, id, limit, cursor, order, callers.get());
    }

    static Uni<MessagePageView> page(ConversationService conversations, UUID id, Paging.Limit limit, String cursor,
            Paging.Order order, Caller caller) {
        return conversations.messages(caller, id, Paging.cursor(cursor), limit.value(), order.ascending())
                .map(MessagePageView::of);
    }
}
