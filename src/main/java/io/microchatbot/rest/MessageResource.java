package io.microchatbot.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.microchatbot.identity.CallerHeaders;
import io.microchatbot.rest.api.MessagePageView;
import io.microchatbot.rest.api.MessageView;
import io.microchatbot.rest.api.SendMessageRequest;
import io.microchatbot.rest.api.TurnView;
import io.microchatbot.service.ChatService;
import io.microchatbot.service.ConversationService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Messages of a conversation. A turn answers with JSON, or with server-sent events when the caller sends
 * {@code Accept: text/event-stream} or {@code "stream": true} ({@link StreamFlagRouting} turns the latter into
 * the former, so that each representation has a method of its own).
 */
@Path("/api/v1/conversations/{id}/messages")
@Tag(name = "Messages")
public class MessageResource {

    private final ChatService chat;
    private final ConversationService conversations;
    private final InputValidator input;
    private final TurnEventsSse events;

    MessageResource(ChatService chat, ConversationService conversations, InputValidator input, TurnEventsSse events) {
        this.chat = chat;
        this.conversations = conversations;
        this.input = input;
        this.events = events;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a message and get the stored reply (one chat turn)")
    public Uni<RestResponse<TurnView>> send(@RestPath String id, SendMessageRequest body, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        var conversationId = input.id(id);
        var message = input.message(body);
        return chat.send(caller, conversationId, message)
                .map(TurnView::of)
                .map(view -> RestResponse.ResponseBuilder.<TurnView> created(
                        URI.create("/api/v1/conversations/" + conversationId + "/messages/" + view.assistant_message().id()))
                        .entity(view)
                        .build());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(TurnEventsSse.MEDIA_TYPE)
    @Operation(summary = "Send a message and stream the reply as server-sent events (one chat turn)")
    @APIResponse(responseCode = "200", description = "Server-sent events: message.created, message.delta…, then one"
            + " of message.completed, message.incomplete, error", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public Multi<String> stream(@RestPath String id, SendMessageRequest body, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        var conversationId = input.id(id);
        var message = input.message(body);
        String instance = "/api/v1/conversations/" + conversationId + "/messages";
        return RestMulti.fromUniResponse(chat.stream(caller, conversationId, message),
                turn -> events.events(instance, turn),
                turn -> TurnEventsSse.HEADERS);
    }

    @GET
    @Path("/{messageId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read one message")
    public Uni<MessageView> get(@RestPath String id, @RestPath String messageId, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        return conversations.message(caller, input.id(id), input.id(messageId))
                .map(MessageView::of);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Page through a conversation's messages (keyset cursor)")
    public Uni<MessagePageView> list(@RestPath String id, @RestQuery String limit, @RestQuery String cursor,
            @RestQuery String order, HttpHeaders headers) {
        return page(conversations, input, id, limit, cursor, order, headers);
    }

    static Uni<MessagePageView> page(ConversationService conversations, InputValidator input, String id, String limit,
            String cursor, String order, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        var conversationId = input.id(id);
        int size = input.limit(limit);
        boolean ascending = input.ascending(order);
        return conversations.messages(caller, conversationId, input.cursor(cursor), size, ascending)
                .map(MessagePageView::of);
    }
}
