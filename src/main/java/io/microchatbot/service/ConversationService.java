package io.microchatbot.service;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Clock;
import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.cache.ContextCache;
import io.microchatbot.event.Outbox;
import io.microchatbot.identity.Caller;
import io.microchatbot.pagination.CursorCodec;
import io.microchatbot.pagination.Position;
import io.microchatbot.problem.ApiException;
import io.microchatbot.repository.ConversationRepository;
import io.microchatbot.repository.MessageRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** Conversations and their message history, always within the caller's own: anything else is 404. */
@ApplicationScoped
public class ConversationService {

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final CursorCodec cursors;
    private final PromptBuilder prompts;
    private final ObjectMapper json;
    private final LimitsConfig limits;
    private final ContextCache cache;
    private final Outbox outbox;
    private final TurnMetrics metrics;

    ConversationService(ConversationRepository conversations, MessageRepository messages, CursorCodec cursors,
            PromptBuilder prompts, ObjectMapper json, LimitsConfig limits, ContextCache cache, Outbox outbox,
            TurnMetrics metrics) {
        this.conversations = conversations;
        this.messages = messages;
        this.cursors = cursors;
        this.prompts = prompts;
        this.json = json;
        this.limits = limits;
        this.cache = cache;
        this.outbox = outbox;
        this.metrics = metrics;
    }

    @WithTransaction
    public Uni<Conversation> create(Caller caller, NewConversation request) {
        Conversation conversation = new Conversation();
        conversation.id = UUID.randomUUID();
        conversation.tenantId = caller.tenantId();
        conversation.userId = caller.userId();
        conversation.title = request.title();
        conversation.systemPrompt = request.systemPrompt();
        conversation.model = request.model();
        conversation.metadata = request.metadataJson() == null ? "{}" : request.metadataJson();
        conversation.generation = request.generationJson();
        conversation.createdAt = Clock.now();
        conversation.updatedAt = conversation.createdAt;
        prompts.ensureSystemPromptFits(conversation);
        return conversations.persist(conversation)
                .call(outbox::conversationCreated)
                .invoke(metrics::conversationCreated);
    }

    @WithSession
    public Uni<Conversation> get(Caller caller, UUID id) {
        return owned(caller, id);
    }

    /** The caller's conversations, newest first. */
    @WithSession
    public Uni<Page<Conversation>> list(Caller caller, String cursor, int limit) {
        String listing = "conversations:" + caller.tenantId() + "/" + caller.userId();
        Position after = cursor == null ? null : cursors.decode(cursor, listing, false);
        return conversations.page(caller, after, limit + 1)
                .map(rows -> page(rows, limit, listing, false, c -> new Position(c.createdAt, c.id), -1));
    }

    /**
     * Applies a merge-patch. A system prompt that leaves no room in the model's context window is refused, as is
     * metadata that outgrows its limit once merged.
     */
    public Uni<Conversation> update(Caller caller, UUID id, ConversationChanges changes) {
        return updateInTransaction(caller, id, changes)
                .call(conversation -> cache.invalidate(conversation.tenantId, conversation.id));
    }

    /** Deletes the conversation and all its messages. */
    public Uni<Void> delete(Caller caller, UUID id) {
        return deleteInTransaction(caller, id)
                .call(() -> cache.invalidate(caller.tenantId(), id));
    }

    // Called through this bean (ArC intercepts self-invocation) so that the cache is invalidated after the commit.

    @WithTransaction
    Uni<Conversation> updateInTransaction(Caller caller, UUID id, ConversationChanges changes) {
        return owned(caller, id)
                .invoke(conversation -> apply(conversation, changes))
                .invoke(prompts::ensureSystemPromptFits);
    }

    @WithTransaction
    Uni<Void> deleteInTransaction(Caller caller, UUID id) {
        return owned(caller, id)
                .call(outbox::conversationDeleted)
                .call(conversations::delete)
                .replaceWithVoid();
    }

    /**
     * One page of a conversation's messages. {@code totalCount} comes from the counter kept on the conversation,
     * not from counting rows.
     */
    @WithSession
    public Uni<Page<Message>> messages(Caller caller, UUID id, String cursor, int limit, boolean ascending) {
        String listing = "messages:" + id;
        Position after = cursor == null ? null : cursors.decode(cursor, listing, ascending);
        return owned(caller, id)
                .chain(conversation -> rows(conversation, ascending, after, limit + 1)
                        .map(rows -> page(rows, limit, listing, ascending, m -> new Position(m.createdAt, m.id),
                                conversation.messageCount)));
    }

    /**
     * A first page comes from the cache when it holds the state at the count just read and enough of it; the page
     * is then that state, as if read at that instant. Later pages, and misses, read PostgreSQL.
     */
    private Uni<List<Message>> rows(Conversation conversation, boolean ascending, Position after, int size) {
        if (after != null) {
            return messages.page(conversation.id, ascending, after, size);
        }
        return cache.newest(ContextCache.MESSAGES, conversation.tenantId, conversation.id, conversation.messageCount)
                .chain(cached -> cached.flatMap(newest -> firstPage(newest, conversation.messageCount, ascending, size))
                        .map(rows -> Uni.createFrom().item(rows))
                        .orElseGet(() -> messages.page(conversation.id, ascending, null, size)));
    }

    /** The first {@code size} messages in the asked order, if the cached newest ones are enough to tell. */
    static Optional<List<Message>> firstPage(List<Message> newestFirst, long messageCount, boolean ascending, int size) {
        boolean whole = newestFirst.size() >= messageCount;
        if (!ascending && (whole || newestFirst.size() >= size)) {
            return Optional.of(newestFirst.subList(0, Math.min(size, newestFirst.size())));
        }
        if (ascending && whole) {
            List<Message> oldestFirst = new ArrayList<>(newestFirst.reversed());
            return Optional.of(oldestFirst.subList(0, Math.min(size, oldestFirst.size())));
        }
        return Optional.empty();
    }

    /** One message of one of the caller's conversations. */
    @WithSession
    public Uni<Message> message(Caller caller, UUID conversationId, UUID messageId) {
        return owned(caller, conversationId)
                .chain(conversation -> messages.find("id = ?1 and conversationId = ?2", messageId, conversationId)
                        .<Message> firstResult())
                .onItem().ifNull().failWith(() -> ApiException.notFound("Message"));
    }

    private String mergedMetadata(String current, JsonNode patch) {
        try {
            String merged = MergePatch.apply(json.readTree(current), patch).toString();
            if (merged.getBytes(StandardCharsets.UTF_8).length > limits.metadataMaxBytes()) {
                throw ApiException.invalid("metadata", "would be larger than " + limits.metadataMaxBytes()
                        + " bytes of JSON once merged");
            }
            return merged;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored metadata is not JSON", e);
        }
    }

    private Uni<Conversation> owned(Caller caller, UUID id) {
        return conversations.findOwned(id, caller)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"));
    }

    private <T> Page<T> page(List<T> rows, int limit, String listing, boolean ascending, Function<T, Position> position,
            long totalCount) {
        boolean hasMore = rows.size() > limit;
        List<T> items = hasMore ? rows.subList(0, limit) : rows;
        String next = hasMore ? cursors.encode(listing, ascending, position.apply(items.get(items.size() - 1))) : null;
        return new Page<>(items, hasMore, next, totalCount);
    }

    private void apply(Conversation conversation, ConversationChanges changes) {
        conversation.title = changes.title().applyTo(conversation.title);
        conversation.systemPrompt = changes.systemPrompt().applyTo(conversation.systemPrompt);
        conversation.model = changes.model().applyTo(conversation.model);
        if (changes.metadataPatch().given()) {
            conversation.metadata = mergedMetadata(conversation.metadata, changes.metadataPatch().value());
        }
        if (changes.generation() != null) {
            conversation.generation = changes.generation().applyTo(conversation.generation);
        }
        conversation.updatedAt = Clock.now();
    }
}
