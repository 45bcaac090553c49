package io.microchatbot.rest;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.api.ConversationPageView;
import io.microchatbot.api.ConversationPatch;
import io.microchatbot.api.ConversationView;
import io.microchatbot.api.CreateConversationRequest;
import io.microchatbot.idempotency.Idempotency;
import io.microchatbot.idempotency.IdempotencyKey;
import io.microchatbot.idempotency.Outcome;
import io.microchatbot.identity.Caller;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.problem.ApiException;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.service.ConversationService;
import io.microchatbot.service.NewConversation;
import io.microchatbot.validation.TurnRequests;
import io.microchatbot.validation.Validation;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/conversations")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationResource {

    private final ConversationService conversations;
    private final Validation validation;
    private final TurnRequests turnRequests;
    private final ModelAllowList models;
    private final Idempotency idempotency;
    private final Answers answers;
    private final CurrentCaller callers;

    ConversationResource(ConversationService conversations, Validation validation, TurnRequests turnRequests,
            ModelAllowList models, Idempotency idempotency,
            Answers answers, CurrentCaller callers) {
        this.conversations = conversations;
        this.validation = validation;
        this.turnRequests = turnRequests;
        this.models = models;
        this.idempotency = idempotency;
        this.answers = answers;
        this.callers = callers;
    }

    /** Opens a conversation; with an {@code Idempotency-Key} at most once, retries getting the recorded answer. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Open a conversation")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, required = false, description = "Opens the conversation at most once; retries get the recorded answer"
            + " (docs/api.md#idempotent-requests)")
    @APIResponse(responseCode = "201", description = "The new conversation; Location is its URL", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConversationView.class)))
    public Uni<Response> create(CreateConversationRequest body, HttpHeaders headers, UriInfo uri) {
        var caller = callers.get();
        var valid = validation.valid(body == null ? CreateConversationRequest.EMPTY : body);
        if (valid.model() != null) {
            models.ensureAllowed(Requester.of(callers.access()), valid.model(), "model");
        }
        var request = valid.toNewConversation(turnRequests.options(valid.tools(), valid.toolChoice(),
                valid.responseFormat()));
        var key = IdempotencyKey.from(headers.getRequestHeader(IdempotencyKey.HEADER));
        var idempotent = idempotency.request(key, caller, "POST", "/api/v1/conversations",
                MediaType.APPLICATION_JSON, body);
        return idempotency.guard(idempotent, () -> open(caller, request, uri), uri.getPath())
                .map(answers::response);
    }

    private Uni<Outcome> open(Caller caller, NewConversation request, UriInfo uri) {
        return conversations.create(caller, request)
                .map(ConversationView::of)
                .map(view -> new Outcome.Answered(answers.view(view), uri.getBaseUriBuilder()
                        .path("api/v1/conversations/{id}").build(view.id()).toString()));
    }

    @GET
    @Operation(summary = "List the caller's conversations, newest first")
    public Uni<ConversationPageView> list(@RestQuery @DefaultValue(Paging.DEFAULT_LIMIT) Paging.Limit limit,
            @RestQuery String cursor, HttpHeaders headers) {
        var caller = callers.get();
        return conversations.list(caller, Paging.cursor(cursor), limit.value())
                .map(ConversationPageView::of);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a conversation")
    public Uni<ConversationView> get(@RestPath UUID id, HttpHeaders headers) {
        var caller = callers.get();
        return conversations.get(caller, id)
                .map(ConversationView::of);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @Operation(summary = "Change title, system prompt, model or metadata (JSON merge-patch: null clears a field)")
    public Uni<ConversationView> update(@RestPath UUID id, JsonNode body, HttpHeaders headers) {
        var caller = callers.get();
        var valid = validation.valid(patch(body));
        if (valid.model() != null && valid.model().isTextual()) {
            models.ensureAllowed(Requester.of(callers.access()), valid.model().textValue(), "model");
        }
        var changes = valid.toChanges(turnRequests.options(valid.tools(), valid.toolChoice(), valid.responseFormat()));
        return conversations.update(caller, id, changes)
                .map(ConversationView::of);
    }

    /** Read as a tree: a merge-patch that is not an object is a validation failure, not bad JSON. */
    private static ConversationPatch patch(JsonNode body) {
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.invalid("body", "must be a JSON object");
        }
        return ConversationPatch.of(object);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a conversation and all its messages")
    public Uni<RestResponse<Void>> delete(@RestPath UUID id, HttpHeaders headers) {
        var caller = callers.get();
        return conversations.delete(caller, id)
                .map(ignored -> RestResponse.noContent());
    }
}
