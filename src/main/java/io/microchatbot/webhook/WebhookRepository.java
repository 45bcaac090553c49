package io.microchatbot.webhook;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Webhooks, always looked up together with their tenant so that another tenant's one is simply absent. */
@ApplicationScoped
public class WebhookRepository implements PanacheRepositoryBase<Webhook, UUID> {

    public Uni<Webhook> findOwned(UUID id, String tenant) {
        return find("id = :id and tenantId = :tenant", Parameters.with("id", id).and("tenant", tenant)).firstResult();
    }

    /** Newest first; a tenant has at most chatbot.webhooks.max-per-tenant of them. */
    public Uni<List<Webhook>> ofTenant(String tenant) {
        return find("tenantId", Sort.descending("createdAt", "id"), tenant).list();
    }

    /**
     * Counts the tenant's webhooks under a lock on the tenant held until the transaction ends, so that two
     * registrations at once cannot both pass the limit.
     */
    public Uni<Long> countLocked(String tenant) {
        return getSession().chain(session -> session
                .createNativeQuery("select pg_advisory_xact_lock(hashtext('webhooks:' || :tenant))")
                .setParameter("tenant", tenant)
                .getSingleResult())
                .chain(() -> count("tenantId", tenant));
    }
}
