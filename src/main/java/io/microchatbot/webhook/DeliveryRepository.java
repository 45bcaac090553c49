package io.microchatbot.webhook;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.pagination.Position;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** A webhook's delivery log, newest first, read by keyset. */
@ApplicationScoped
public class DeliveryRepository implements PanacheRepositoryBase<WebhookDelivery, UUID> {

    /** A fresh series of attempts, due now by the database's clock (the one the dispatcher's claims use). */
    private static final String REDELIVER = """
            update webhook_deliveries
               set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
             where id = :id and webhook_id = :webhook""";

    /** One page after {@code after} (exclusive, null for the first page). */
    public Uni<List<WebhookDelivery>> page(UUID webhookId, Position after, int size) {
        Parameters params = Parameters.with("webhook", webhookId);
        String query = "webhookId = :webhook";
        if (after != null) {
            // A row comparison, so that the index scan starts at the cursor (see MessageRepository.page).
            query += " and (createdAt, id) < (:at, :id)";
            params = params.and("at", after.createdAt()).and("id", after.id());
        }
        return find(query, Sort.descending("createdAt", "id"), params).range(0, size - 1).list();
    }

    public Uni<WebhookDelivery> findOf(UUID webhookId, UUID id) {
        return find("id = :id and webhookId = :webhook", Parameters.with("id", id).and("webhook", webhookId))
                .firstResult();
    }

    /** Makes the delivery pending and due now; returns whether it exists. */
    public Uni<Boolean> redeliver(UUID webhookId, UUID id) {
        return getSession().chain(session -> session.createNativeQuery(REDELIVER)
                .setParameter("id", id)
                .setParameter("webhook", webhookId)
                .executeUpdate())
                .map(updated -> updated > 0);
    }
}
