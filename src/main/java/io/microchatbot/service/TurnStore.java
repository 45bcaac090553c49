package io.microchatbot.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.cache.ContextCache;
import io.microchatbot.event.Outbox;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.repository.ConversationRepository;
import io.microchatbot.repository.MessageRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The two transactions of a turn. {@link #begin} claims the conversation (one turn at a time, by a lease that
 * expires if the pod dies), stores the user message and reads the history; {@link #finish} stores the reply and
 * gives the conversation back. The LLM is called between them, with no connection held.
 */
@ApplicationScoped
public class TurnStore {

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final PromptBuilder prompts;
    private final ChatbotConfig config;
    private final Replies replies;
    private final RunningTurns running;
    private final ContextCache cache;
    private final Outbox outbox;

    TurnStore(ConversationRepository conversations, MessageRepository messages, PromptBuilder prompts,
            ChatbotConfig config, Replies replies, RunningTurns running, ContextCache cache, Outbox outbox) {
        this.conversations = conversations;
        this.messages = messages;
        this.prompts = prompts;
        this.config = config;
        this.replies = replies;
        this.running = running;
        this.cache = cache;
        this.outbox = outbox;
    }

    /**
     * 404 when the caller has no such conversation, 409 conversation_busy while another turn holds it. The turn
     * counts as running ({@link RunningTurns}) from the commit until {@link #finish} or {@link #release} commits.
     */
    public Uni<TurnStart> begin(Caller caller, UUID conversationId, UserInput input) {
        return beginInTransaction(caller, conversationId, input)
                .invoke(begun -> running.begun(begun.start()))
                .call(this::cacheBegun)
                .map(Begun::start);
    }

    /** Stores the reply and ends the turn; the reply is stored even when the conversation moved on. */
    public Uni<Message> finish(TurnStart turn, ReplyOutcome outcome) {
        return finishInTransaction(turn, outcome)
                .invoke(() -> running.ended(turn))
                .call(stored -> stored.messageCount() == null ? Uni.createFrom().voidItem()
                        : cache.append(stored.reply(), stored.messageCount()))
                .map(Stored::reply);
    }

    /** Ends a turn whose reply could not be stored, so that the conversation is usable again at once. */
    public Uni<Integer> release(TurnStart turn) {
        return releaseInTransaction(turn)
                .onTermination().invoke(() -> running.ended(turn));
    }

    // The three transactions are called through this bean (ArC intercepts self-invocation), so that the methods
    // above see them committed.

    @WithTransaction
    Uni<Begun> beginInTransaction(Caller caller, UUID conversationId, UserInput input) {
        return conversations.findOwnedForUpdate(conversationId, caller)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .invoke(conversation -> ensureIdle(conversation, Clock.now()))
                .invoke(conversation -> prompts.ensureFits(conversation, input.contentTokens()))
                .chain(conversation -> history(conversation)
                        .chain(history -> claim(conversation, input, history)));
    }

    @WithTransaction
    Uni<Stored> finishInTransaction(TurnStart turn, ReplyOutcome outcome) {
        Instant now = Clock.after(turn.userMessage().createdAt);
        Message reply = replies.reply(turn.userMessage(), outcome, now);
        return messages.persist(reply)
                .chain(() -> conversations.recordMessage(reply.conversationId, now, turn.lease()))
                // After the row lock taken by recordMessage: the event's outbox id follows the turn's (ADR 0005).
                .call(count -> count == null ? Uni.createFrom().voidItem()
                        : outbox.replyStored(reply, turn.userMessage().id))
                .map(count -> new Stored(reply, count));
    }

    @WithTransaction
    Uni<Integer> releaseInTransaction(TurnStart turn) {
        return conversations.releaseLease(turn.userMessage().conversationId, turn.lease());
    }

    /**
     * The newest messages, newest first: from the cache when it holds the state at the count read under the row
     * lock, else from PostgreSQL. Under the lock no message can be added, so what is read is that state exactly.
     */
    private Uni<History> history(Conversation conversation) {
        return cache.newest(ContextCache.CONTEXT, conversation.tenantId, conversation.id, conversation.messageCount)
                .chain(cached -> cached.isPresent()
                        ? Uni.createFrom().item(new History(cached.get(), true))
                        : messages.newest(conversation.id, cache.maxMessages())
                                .map(rows -> new History(rows, false)));
    }

    /**
     * Takes the turn and stores the user message. Its time is read only now, under the row lock, and never before
     * the newest message: keyset readers rely on a conversation's messages being created in order.
     */
    private Uni<Begun> claim(Conversation conversation, UserInput input, History history) {
        List<Message> newest = history.newestFirst();
        Instant now = Clock.after(newest.isEmpty() ? null : newest.get(0).createdAt);
        Message user = userMessage(conversation, input, now);
        Instant lease = now.plus(config.turn().lease());
        conversation.turnLeaseUntil = lease;
        conversation.messageCount++;
        conversation.updatedAt = now;
        String model = conversation.model != null ? conversation.model : config.llm().model();
        return messages.persist(user)
                .call(outbox::messageCreated)
                .map(stored -> new Begun(new TurnStart(stored, model, prompts.build(conversation, stored, newest), lease),
                        conversation.messageCount, history));
    }

    /** After the commit: the cache gets the user message, or, when it missed, the whole state it now knows. */
    private Uni<Void> cacheBegun(Begun begun) {
        Message user = begun.start().userMessage();
        if (begun.history().cached()) {
            return cache.append(user, begun.messageCount());
        }
        List<Message> newestFirst = new ArrayList<>(begun.history().newestFirst().size() + 1);
        newestFirst.add(user);
        newestFirst.addAll(begun.history().newestFirst());
        return cache.fill(user.tenantId, user.conversationId, begun.messageCount(), newestFirst);
    }

    private void ensureIdle(Conversation conversation, Instant now) {
        if (conversation.turnLeaseUntil != null && conversation.turnLeaseUntil.isAfter(now)) {
            throw new ApiException(ErrorCode.conversation_busy,
                    "Another message of this conversation is being answered; send this one when it is done",
                    config.turn().busyRetryAfterSeconds());
        }
    }

    /** A conversation's newest messages, newest first, and whether they came from the cache. */
    record History(List<Message> newestFirst, boolean cached) {
    }

    /** A committed turn start, with the message count it left and the history it was built on. */
    record Begun(TurnStart start, long messageCount, History history) {
    }

    /** A committed reply and the message count it left (null when the conversation was deleted meanwhile). */
    record Stored(Message reply, Long messageCount) {
    }

    private static Message userMessage(Conversation conversation, UserInput input, Instant now) {
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.conversationId = conversation.id;
        message.tenantId = conversation.tenantId;
        message.userId = conversation.userId;
        message.messageType = MessageType.user;
        message.status = MessageStatus.complete;
        message.content = input.content();
        message.metadata = input.metadataJson();
        message.contentTokens = input.contentTokens();
        message.createdAt = now;
        message.updatedAt = now;
        return message;
    }
}
