package io.microchatbot.rest;

import java.util.UUID;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.microchatbot.api.MessagePageView;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.service.ConversationService;
import io.smallrye.mutiny.Uni;

/** The path existing clients of the chat integration already call; same contract as {@link MessageResource#list}. */
@Path("/api/v1/chat/conversations/{id}/messages")
@Tag(name = "Messages")
public class ChatMessagesAliasResource {

    private final ConversationService conversations;
    private final CurrentCaller callers;

    ChatMessagesAliasResource(ConversationService conversations, CurrentCaller callers) {
        this.conversations = conversations;
        this.callers = callers;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Page through a conversation's messages (alias of /api/v1/conversations/{id}/messages)")
    public Uni<MessagePageView> list(@RestPath UUID id,
            @RestQuery @DefaultValue(Paging.DEFAULT_LIMIT) Paging.Limit limit, @RestQuery String cursor,
            @RestQuery @DefaultValue(Paging.ASCENDING) Paging.Order order, HttpHeaders headers) {
        return MessageResource.page(conversations, id, limit, cursor, order, callers.get());
    }
}
