package io.microchatbot.turns;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Message;
import io.microchatbot.MessageType;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.repository.TurnStatements;
import io.smallrye.mutiny.Uni;

/** Finds a caller's turn in PostgreSQL, one statement: the conversation's newest, or the one a message starts. */
@ApplicationScoped
class TurnLookup {

    private final TurnStatements statements;

    TurnLookup(TurnStatements statements) {
        this.statements = statements;
    }

    /** The conversation's newest turn, running or ended; 404 when it has none. */
    Uni<TurnState> current(Caller caller, UUID conversationId) {
        return statements.conversationWithHistory(conversationId, caller, 2)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .map(snapshot -> {
                    List<Message> newest = snapshot.newestFirst();
                    boolean leaseHeld = snapshot.conversation().turnRunning(Instant.now());
                    if (!newest.isEmpty() && input(newest.get(0))) {
                        return new TurnState(conversationId, newest.get(0), null, leaseHeld);
                    }
                    if (newest.size() == 2 && newest.get(0).messageType == MessageType.assistant
                            && input(newest.get(1))) {
                        return new TurnState(conversationId, newest.get(1), newest.get(0), false);
                    }
                    throw new ApiException(ErrorCode.not_found, "This conversation has no turn yet");
                });
    }

    /** The turn whose last input is {@code messageId}; 404 when there is no such message, or it is a reply. */
    Uni<TurnState> of(Caller caller, UUID conversationId, UUID messageId) {
        return statements.turn(conversationId, caller, messageId)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .map(snapshot -> {
                    List<Message> newest = snapshot.newestFirst();
                    if (newest.isEmpty() || !input(newest.get(newest.size() - 1))) {
                        throw new ApiException(ErrorCode.not_found, "No turn of this conversation is named by"
                                + " message " + messageId + " (a turn is named by its user message, or its last"
                                + " tool result)");
                    }
                    Message input = newest.get(newest.size() - 1);
                    Message next = newest.size() == 2 ? newest.get(0) : null;
                    if (next == null) {
                        return new TurnState(conversationId, input, null,
                                snapshot.conversation().turnRunning(Instant.now()));
                    }
                    return new TurnState(conversationId, input,
                            next.messageType == MessageType.assistant ? next : null, false);
                });
    }

    private static boolean input(Message message) {
        return message.messageType == MessageType.user || message.messageType == MessageType.tool;
    }
}
