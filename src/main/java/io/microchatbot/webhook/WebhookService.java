package io.microchatbot.webhook;

import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.identity.Caller;
import io.microchatbot.pagination.CursorCodec;
import io.microchatbot.pagination.Position;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.service.Page;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Webhooks and their delivery logs, always within the caller's tenant: another tenant's webhook is 404. Any user of
 * the tenant may manage the tenant's webhooks; the one who registered it is recorded.
 */
@ApplicationScoped
public class WebhookService {

    private final WebhookRepository webhooks;
    private final DeliveryRepository deliveries;
    private final WebhookTargets targets;
    private final CursorCodec cursors;
    private final WebhooksConfig config;

    WebhookService(WebhookRepository webhooks, DeliveryRepository deliveries, WebhookTargets targets,
            CursorCodec cursors, WebhooksConfig config) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.targets = targets;
        this.cursors = cursors;
        this.config = config;
    }

    /**
     * Registers a webhook once its URL is known to reach a public address: else 400 webhook_target_forbidden (or
     * validation_failed when the host does not resolve). 409 webhook_limit_reached when the tenant has
     * {@code max-per-tenant} already. The webhook returned holds its secret: the only time it is shown.
     */
    public Uni<Webhook> create(Caller caller, NewWebhook request) {
        return targets.resolve(request.url())
                .onFailure(TargetForbidden.class).transform(forbidden -> new ApiException(
                        ErrorCode.webhook_target_forbidden, "The URL may not be used: " + forbidden.getMessage()
                                + "; a webhook must reach a public address"))
                .onFailure(UnknownHostException.class).transform(unknown -> ApiException.invalid("url",
                        "has a host that does not resolve"))
                .chain(() -> store(caller, request));
    }

    @WithSession
    public Uni<List<Webhook>> list(Caller caller) {
        return webhooks.ofTenant(caller.tenantId());
    }

    @WithSession
    public Uni<Webhook> get(Caller caller, UUID id) {
        return owned(caller, id);
    }

    /** Deletes the webhook with its delivery log; deliveries under way are not sent again. */
    @WithTransaction
    public Uni<Void> delete(Caller caller, UUID id) {
        return owned(caller, id)
                .call(webhooks::delete)
                .replaceWithVoid();
    }

    /** One page of the webhook's deliveries, newest first. */
    @WithSession
    public Uni<Page<WebhookDelivery>> deliveries(Caller caller, UUID id, String cursor, int limit) {
        String listing = "webhook-deliveries:" + id;
        Position after = cursor == null ? null : cursors.decode(cursor, listing, false);
        return owned(caller, id)
                .chain(webhook -> deliveries.page(id, after, limit + 1))
                .map(rows -> page(rows, limit, listing));
    }

    /**
     * Sends a delivery again, whatever its status: pending and due now, with a fresh series of
     * {@code max-attempts} attempts. The last status code and error stay until the next attempt.
     */
    @WithTransaction
    public Uni<WebhookDelivery> redeliver(Caller caller, UUID id, UUID deliveryId) {
        return owned(caller, id)
                .chain(webhook -> deliveries.redeliver(id, deliveryId))
                .chain(found -> found ? deliveries.findOf(id, deliveryId) : Uni.createFrom().nullItem())
                .onItem().ifNull().failWith(() -> ApiException.notFound("Delivery"));
    }

    @WithTransaction
    Uni<Webhook> store(Caller caller, NewWebhook request) {
        return webhooks.countLocked(caller.tenantId())
                .invoke(count -> {
                    if (count >= config.maxPerTenant()) {
                        throw new ApiException(ErrorCode.webhook_limit_reached, "This tenant has "
                                + config.maxPerTenant() + " webhooks already, the most it may have; delete one first");
                    }
                })
                .chain(() -> webhooks.persist(webhook(caller, request)));
    }

    private static Webhook webhook(Caller caller, NewWebhook request) {
        Webhook webhook = new Webhook();
        webhook.id = UUID.randomUUID();
        webhook.tenantId = caller.tenantId();
        webhook.createdBy = caller.userId();
        webhook.url = request.url().toString();
        webhook.eventTypes = request.eventTypes();
        webhook.secret = request.secret().orElseGet(WebhookSignature::newSecret);
        webhook.description = request.description();
        webhook.active = true;
        // PostgreSQL's precision, so that a cursor built from the stored value compares equal.
        webhook.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        webhook.updatedAt = webhook.createdAt;
        return webhook;
    }

    private Uni<Webhook> owned(Caller caller, UUID id) {
        return webhooks.findOwned(id, caller.tenantId())
                .onItem().ifNull().failWith(() -> ApiException.notFound("Webhook"));
    }

    private Page<WebhookDelivery> page(List<WebhookDelivery> rows, int limit, String listing) {
        if (rows.size() <= limit) {
            return new Page<>(rows, false, null, -1);
        }
        List<WebhookDelivery> items = rows.subList(0, limit);
        WebhookDelivery last = items.get(limit - 1);
        return new Page<>(items, true, cursors.encode(listing, false, new Position(last.createdAt, last.id)), -1);
    }
}
