package io.microchatbot.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.identity.CallerHeaders;
import io.microchatbot.rest.api.ConversationPageView;
import io.microchatbot.rest.api.ConversationView;
import io.microchatbot.rest.api.CreateConversationRequest;
import io.microchatbot.service.ConversationService;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/conversations")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationResource {

    private final ConversationService conversations;
    private final InputValidator input;

    ConversationResource(ConversationService conversations, InputValidator input) {
        this.conversations = conversations;
        this.input = input;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Open a conversation")
    public Uni<RestResponse<ConversationView>> create(CreateConversationRequest body, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        var request = input.conversation(body);
        return conversations.create(caller, request)
                .map(ConversationView::of)
                .map(view -> RestResponse.ResponseBuilder.<ConversationView> created(URI.create("/api/v1/conversations/" + view.id()))
                        .entity(view)
                        .build());
    }

    @GET
    @Operation(summary = "List the caller's conversations, newest first")
    public Uni<ConversationPageView> list(@RestQuery String limit, @RestQuery String cursor, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        return conversations.list(caller, input.cursor(cursor), input.limit(limit))
                .map(ConversationPageView::of);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a conversation")
    public Uni<ConversationView> get(@RestPath String id, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        return conversations.get(caller, input.id(id))
                .map(ConversationView::of);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @Operation(summary = "Change title, system prompt, model or metadata (JSON merge-patch: null clears a field)")
    public Uni<ConversationView> update(@RestPath String id, JsonNode body, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        var conversationId = input.id(id);
        var changes = input.changes(body);
        return conversations.update(caller, conversationId, changes)
                .map(ConversationView::of);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a conversation and all its messages")
    public Uni<RestResponse<Void>> delete(@RestPath String id, HttpHeaders headers) {
        var caller = CallerHeaders.from(headers);
        return conversations.delete(caller, input.id(id))
                .map(ignored -> RestResponse.noContent());
    }
}
