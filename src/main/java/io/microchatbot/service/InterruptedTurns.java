package io.microchatbot.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Clock;
import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.event.Outbox;
import io.microchatbot.generation.Parameters;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.repository.ConversationRepository;
import io.microchatbot.repository.MessageRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Turns that stored their user message and never their reply: the pod running them stopped, or the database
 * became unreachable, in between. Once such a turn's lease has expired it is settled the way {@link TurnStore}
 * settles a failed one: a {@code failed} reply with the error {@code turn_interrupted}, counted in the
 * conversation, and the lease cleared. One transaction per conversation, which skips a conversation another
 * transaction holds, so that any number of replicas can run this at once and a turn is settled at most once.
 */
@ApplicationScoped
public class InterruptedTurns {

    /** Conversations looked at per pass; the next pass (or the next run) takes the rest. */
    static final int BATCH = 100;
    static final String DETAIL = "The turn was interrupted before its reply was stored (the service stopped or lost"
            + " its database); send the message again";

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final Replies replies;
    private final Outbox outbox;

    InterruptedTurns(ConversationRepository conversations, MessageRepository messages, Replies replies,
            Outbox outbox) {
        this.conversations = conversations;
        this.messages = messages;
        this.replies = replies;
        this.outbox = outbox;
    }

    /**
     * Settles the interrupted turns whose lease expired before now, a batch at a time until a batch settles
     * nothing or comes back short, and returns how many it settled. Conversations held by another transaction are
     * left to it; a database failure fails the whole pass (what was settled before stays settled).
     */
    public Uni<Integer> settleExpired() {
        return Multi.createBy().repeating().uni(() -> settleBatch(Clock.now()))
                .whilst(batch -> batch.found() == BATCH && batch.settled() > 0)
                .collect().with(Collectors.summingInt(Batch::settled));
    }

    private Uni<Batch> settleBatch(Instant now) {
        return candidates(now)
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(id -> settle(id, now))
                        .collect().with(Collectors.counting())
                        .map(settled -> new Batch(ids.size(), settled.intValue())));
    }

    @WithSession
    Uni<List<UUID>> candidates(Instant now) {
        return conversations.withInterruptedTurn(now, BATCH);
    }

    /**
     * Settles one conversation's interrupted turn; null (and nothing written) when its lease has not expired,
     * another transaction holds it, or its newest message is not a user message any more.
     */
    @WithTransaction
    public Uni<Message> settle(UUID conversationId, Instant now) {
        return conversations.lockWithExpiredLease(conversationId, now)
                .onItem().ifNotNull().transformToUni(this::settleLocked);
    }

    private Uni<Message> settleLocked(Conversation conversation) {
        return messages.newest(conversation.id, 1)
                .map(InterruptedTurns::unansweredUserMessage)
                .onItem().ifNotNull().transformToUni(user -> storeFailedReply(conversation, user));
    }

    private static Message unansweredUserMessage(List<Message> newest) {
        // Tool results start a turn as a user message does.
        return newest.isEmpty() || newest.get(0).messageType != MessageType.user
                && newest.get(0).messageType != MessageType.tool ? null : newest.get(0);
    }

    private Uni<Message> storeFailedReply(Conversation conversation, Message user) {
        Instant now = Clock.after(user.createdAt);
        Message reply = replies.reply(user, new ReplyOutcome(MessageStatus.failed, "", null, null, null, null, 0, null,
                null, new ApiException(ErrorCode.turn_interrupted, DETAIL)), Parameters.NONE, now);
        conversation.turnLeaseUntil = null;
        conversation.messageCount++;
        conversation.updatedAt = now;
        return messages.persist(reply)
                .call(stored -> outbox.replyStored(stored, user.id))
                .invoke(stored -> Log.warnf("Turn of conversation %s was interrupted; stored failed reply %s",
                        conversation.id, stored.id));
    }

    private record Batch(int found, int settled) {
    }
}
