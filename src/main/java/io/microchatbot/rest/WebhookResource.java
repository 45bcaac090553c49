package io.microchatbot.rest;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.microchatbot.api.CreateWebhookRequest;
import io.microchatbot.api.DeliveryPageView;
import io.microchatbot.api.DeliveryView;
import io.microchatbot.api.WebhookListView;
import io.microchatbot.api.WebhookView;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.microchatbot.validation.Validation;
import io.microchatbot.webhook.WebhookService;
import io.smallrye.mutiny.Uni;

/**
 * The caller's tenant's webhooks and their delivery logs (docs/webhooks.md). Admins only: a webhook receives the
 * events of every user of the tenant, content included.
 */
@Path("/api/v1/webhooks")
@Tag(name = "Webhooks")
@Produces(MediaType.APPLICATION_JSON)
@RequiresScope(Scope.admin)
public class WebhookResource {

    private final WebhookService webhooks;
    private final Validation validation;
    private final CurrentCaller callers;

    WebhookResource(WebhookService webhooks, Validation validation, CurrentCaller callers) {
        this.webhooks = webhooks;
        this.validation = validation;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a webhook for some or all event types; the answer shows its secret, once")
    @APIResponse(responseCode = "201", description = "The new webhook with its secret; Location is its URL", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookView.class)))
    public Uni<RestResponse<WebhookView>> create(CreateWebhookRequest body, HttpHeaders headers, UriInfo uri) {
        var caller = callers.get();
        var request = validation.valid(body == null ? CreateWebhookRequest.EMPTY : body).toNewWebhook();
        return webhooks.create(caller, request)
                .map(WebhookView::created)
                .map(view -> RestResponse.ResponseBuilder.<WebhookView> created(uri.getBaseUriBuilder()
                        .path("api/v1/webhooks/{id}").build(view.id())).entity(view).build());
    }

    @GET
    @Operation(summary = "List the tenant's webhooks, newest first")
    public Uni<WebhookListView> list(HttpHeaders headers) {
        var caller = callers.get();
        return webhooks.list(caller)
                .map(WebhookListView::of);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a webhook (without its secret)")
    public Uni<WebhookView> get(@RestPath UUID id, HttpHeaders headers) {
        var caller = callers.get();
        return webhooks.get(caller, id)
                .map(WebhookView::of);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a webhook and its delivery log")
    public Uni<RestResponse<Void>> delete(@RestPath UUID id, HttpHeaders headers) {
        var caller = callers.get();
        return webhooks.delete(caller, id)
                .map(ignored -> RestResponse.noContent());
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "The webhook's deliveries, newest first")
    public Uni<DeliveryPageView> deliveries(@RestPath UUID id,
            @RestQuery @DefaultValue(Paging.DEFAULT_LIMIT) Paging.Limit limit, @RestQuery String cursor,
            HttpHeaders headers) {
        var caller = callers.get();
        return webhooks.deliveries(caller, id, Paging.cursor(cursor), limit.value())
                .map(DeliveryPageView::of);
    }

    @POST
    @Path("/{id}/deliveries/{deliveryId}/redeliver")
    @Operation(summary = "Send a delivery again, with a fresh series of attempts")
    @APIResponse(responseCode = "202", description = "The delivery, pending and due now", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DeliveryView.class)))
    public Uni<RestResponse<DeliveryView>> redeliver(@RestPath UUID id, @RestPath UUID deliveryId,
            HttpHeaders headers) {
        var caller = callers.get();
        return webhooks.redeliver(caller, id, deliveryId)
                .map(DeliveryView::of)
                .map(view -> RestResponse.accepted(view));
    }
}
