package io.microchatbot.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Message;
import io.microchatbot.pagination.Position;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Messages of a conversation in (created_at, id) order, read by keyset so that pages stay stable under writes. */
@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    private final Counter rowsRead;

    MessageRepository(MeterRegistry registry) {
        this.rowsRead = Counter.builder("chatbot.db.message.rows.read")
                .description("Message rows read from PostgreSQL for contexts and pages (what the cache saves)")
                .register(registry);
    }

    /** One page after {@code after} (exclusive, null for the first page) in the given direction. */
    public Uni<List<Message>> page(UUID conversationId, boolean ascending, Position after, int size) {
        Parameters params = Parameters.with("conversation", conversationId);
        String query = "conversationId = :conversation";
        if (after != null) {
            // A row comparison, not "a > x or (a = x and b > y)": PostgreSQL turns it into an index condition and
            // starts the scan at the cursor, where the OR form is a filter that reads every earlier row again.
            query += " and (createdAt, id) " + (ascending ? ">" : "<") + " (:at, :id)";
            params = params.and("at", after.createdAt()).and("id", after.id());
        }
        Sort sort = ascending ? Sort.ascending("createdAt", "id") : Sort.descending("createdAt", "id");
        return find(query, sort, params).range(0, size - 1).<Message> list()
                .invoke(rows -> rowsRead.increment(rows.size()));
    }

    /** The newest messages, newest first: the raw material of the next prompt. */
    public Uni<List<Message>> newest(UUID conversationId, int max) {
        return page(conversationId, false, null, max);
    }
}
