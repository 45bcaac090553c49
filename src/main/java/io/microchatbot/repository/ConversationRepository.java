package io.microchatbot.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.identity.Caller;
import io.microchatbot.pagination.Position;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Conversations, always looked up together with their owner so that a foreign one is simply absent. */
@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

    private static final String OWNED = "id = :id and tenantId = :tenant and userId = :user";
    /** Served by the partial index conversations_turn_lease, then one backward step in messages_conversation_keyset. */
    private static final String INTERRUPTED = """
            select c.id from conversations c
            where c.turn_lease_until < :now
              and (select m.message_type from messages m where m.conversation_id = c.id
                   order by m.created_at desc, m.id desc limit 1) = 'user'
            order by c.turn_lease_until
            limit :max""";
    /** FOR UPDATE, not FOR NO KEY UPDATE: it also skips a row whose reply is being inserted (its foreign key check). */
    private static final String LOCK_EXPIRED = """
            select id from conversations
            where id = :id and turn_lease_until < :now
            for update skip locked""";

    public Uni<Conversation> findOwned(UUID id, Caller caller) {
        return find(OWNED, owned(id, caller)).firstResult();
    }

    /** Newest first; {@code after} is the last row of the previous page, null for the first page. */
    public Uni<List<Conversation>> page(Caller caller, Position after, int size) {
        Parameters params = Parameters.with("tenant", caller.tenantId()).and("user", caller.userId());
        String query = "tenantId = :tenant and userId = :user";
        if (after != null) {
            // A row comparison, so that the index scan starts at the cursor (see MessageRepository.page).
            query += " and (createdAt, id) < (:at, :id)";
            params = params.and("at", after.createdAt()).and("id", after.id());
        }
        return find(query, Sort.descending("createdAt", "id"), params).range(0, size - 1).list();
    }

    /**
     * Conversations whose lease expired before {@code now} while their newest message is a user message: a turn
     * that stored its user message and never its reply. Oldest lease first, at most {@code max}.
     */
    public Uni<List<UUID>> withInterruptedTurn(Instant now, int max) {
        return getSession().chain(session -> session.createNativeQuery(INTERRUPTED, UUID.class)
                .setParameter("now", now)
                .setParameter("max", max)
                .getResultList());
    }

    /**
     * Locks the conversation when its lease expired before {@code now}; null when it has no expired lease, or when
     * another transaction holds the row (a replica settling it, a turn starting or finishing): that one wins.
     */
    public Uni<Conversation> lockWithExpiredLease(UUID id, Instant now) {
        return getSession().chain(session -> session.createNativeQuery(LOCK_EXPIRED, UUID.class)
                .setParameter("id", id)
                .setParameter("now", now)
                .getSingleResultOrNull())
                .onItem().ifNotNull().transformToUni(found -> findById(found));
    }

    private static Parameters owned(UUID id, Caller caller) {
        return Parameters.with("id", id).and("tenant", caller.tenantId()).and("user", caller.userId());
    }
}
