package io.microchatbot.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
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

    TurnStore(ConversationRepository conversations, MessageRepository messages, PromptBuilder prompts,
            ChatbotConfig config, Replies replies, RunningTurns running) {
        this.conversations = conversations;
        this.messages = messages;
        this.prompts = prompts;
        this.config = config;
        this.replies = replies;
        this.running = running;
    }

    /**
     * 404 when the caller has no such conversation, 409 conversation_busy while another turn holds it. The turn
     * counts as running ({@link RunningTurns}) from the commit until {@link #finish} or {@link #release} commits.
     */
    public Uni<TurnStart> begin(Caller caller, UUID conversationId, UserInput input) {
        return beginInTransaction(caller, conversationId, input)
                .invoke(running::begun);
    }

    /** Stores the reply and ends the turn; the reply is stored even when the conversation moved on. */
    public Uni<Message> finish(TurnStart turn, ReplyOutcome outcome) {
        return finishInTransaction(turn, outcome)
                .invoke(() -> running.ended(turn));
    }

    /** Ends a turn whose reply could not be stored, so that the conversation is usable again at once. */
    public Uni<Integer> release(TurnStart turn) {
        return releaseInTransaction(turn)
                .onTermination().invoke(() -> running.ended(turn));
    }

    // The three transactions are called through this bean (ArC intercepts self-invocation), so that the methods
    // above see them committed.

    @WithTransaction
    Uni<TurnStart> beginInTransaction(Caller caller, UUID conversationId, UserInput input) {
        return conversations.findOwnedForUpdate(conversationId, caller)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .invoke(conversation -> ensureIdle(conversation, Clock.now()))
                .invoke(conversation -> prompts.ensureFits(conversation, input.contentTokens()))
                .chain(conversation -> messages.newest(conversationId, config.llm().contextMaxMessages())
                        .chain(history -> claim(conversation, input, history)));
    }

    @WithTransaction
    Uni<Message> finishInTransaction(TurnStart turn, ReplyOutcome outcome) {
        Instant now = Clock.after(turn.userMessage().createdAt);
        Message reply = replies.reply(turn.userMessage(), outcome, now);
        return messages.persist(reply)
                .call(() -> conversations.recordMessage(reply.conversationId, now, turn.lease()));
    }

    @WithTransaction
    Uni<Integer> releaseInTransaction(TurnStart turn) {
        return conversations.releaseLease(turn.userMessage().conversationId, turn.lease());
    }

    /**
     * Takes the turn and stores the user message. Its time is read only now, under the row lock, and never before
     * the newest message: keyset readers rely on a conversation's messages being created in order.
     */
    private Uni<TurnStart> claim(Conversation conversation, UserInput input, List<Message> history) {
        Instant now = Clock.after(history.isEmpty() ? null : history.get(0).createdAt);
        Message user = userMessage(conversation, input, now);
        Instant lease = now.plus(config.turn().lease());
        conversation.turnLeaseUntil = lease;
        conversation.messageCount++;
        conversation.updatedAt = now;
        String model = conversation.model != null ? conversation.model : config.llm().model();
        return messages.persist(user)
                .map(stored -> new TurnStart(stored, model, prompts.build(conversation, stored, history), lease));
    }

    private void ensureIdle(Conversation conversation, Instant now) {
        if (conversation.turnLeaseUntil != null && conversation.turnLeaseUntil.isAfter(now)) {
            throw new ApiException(ErrorCode.conversation_busy,
                    "Another message of this conversation is being answered; send this one when it is done",
                    config.turn().busyRetryAfterSeconds());
        }
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
