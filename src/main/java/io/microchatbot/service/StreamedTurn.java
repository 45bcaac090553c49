package io.microchatbot.service;

import java.util.concurrent.atomic.AtomicBoolean;

import io.microchatbot.Deadline;
import io.microchatbot.Detached;
import io.microchatbot.MessageStatus;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmException;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.ratelimit.TurnSlot;
import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One streamed turn after its user message is stored. Relays deltas as they come and settles the reply exactly
 * once: complete on the provider's end, incomplete when the stream broke after some text (or the caller left),
 * failed when nothing was generated. Replies are written detached from the caller's subscription, so a caller
 * who leaves mid-write cannot cancel the write.
 */
final class StreamedTurn {

    private final ChatService chat;
    private final ResilientLlm llm;
    private final Vertx vertx;
    private final TurnStart start;
    private final TurnSlot slot;
    private final LlmRequest request;
    private final Deadline deadline;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final StringBuilder text = new StringBuilder();
    private final long startedAt = System.nanoTime();
    private volatile Long timeToFirstTokenMs;

    StreamedTurn(ChatService chat, ResilientLlm llm, Vertx vertx, TurnStart start, TurnSlot slot,
            LlmRequest request, Deadline deadline) {
        this.deadline = deadline;
        this.chat = chat;
        this.llm = llm;
        this.vertx = vertx;
        this.start = start;
        this.slot = slot;
        this.request = request;
    }

    Multi<TurnEvent> events() {
        Multi<TurnEvent> reply = llm.stream(request, deadline)
                .onItem().transformToUniAndConcatenate(this::relay)
                .onFailure().recoverWithMulti(failure -> broken(failure).toMulti());
        return Multi.createBy().concatenating()
                .streams(Multi.createFrom().item(new TurnEvent.UserMessageStored(start.userMessage())), reply)
                .onCancellation().invoke(this::callerLeft);
    }

    private Uni<TurnEvent> relay(LlmChunk chunk) {
        if (chunk instanceof LlmChunk.Delta delta) {
            append(delta.content());
            return Uni.createFrom().item(new TurnEvent.Delta(delta.content()));
        }
        LlmChunk.Finished finished = (LlmChunk.Finished) chunk;
        settled.set(true);
        ReplyOutcome outcome = new ReplyOutcome(MessageStatus.complete, text(), finished.model(), finished.provider(),
                finished.finishReason(), finished.usage(), finished.attempts(), ChatService.millisSince(startedAt),
                timeToFirstTokenMs, null);
        return Detached.run(chat.store(start, slot, outcome, TurnMetrics.STREAM))
                .map(TurnEvent.Completed::new);
    }

    private Uni<TurnEvent> broken(Throwable failure) {
        if (!settled.compareAndSet(false, true)) {
            if (failure instanceof ApiException known) {
                return Uni.createFrom().item(new TurnEvent.Failed(null, known));
            }
            Log.error("The completed reply could not be stored", failure);
            return Uni.createFrom().item(new TurnEvent.Failed(null,
                    new ApiException(ErrorCode.database_unavailable, "The reply could not be stored", 5)));
        }
        ApiException cause = failure instanceof LlmException llmFailure ? llmFailure
                : LlmException.unavailable("The LLM stream failed unexpectedly", 5);
        String partial = text();
        return Detached.run(chat.store(start, slot, outcome(partial, cause), TurnMetrics.STREAM))
                .<TurnEvent> map(reply -> partial.isEmpty() ? new TurnEvent.Failed(reply, cause)
                        : new TurnEvent.Incomplete(reply, cause))
                .onFailure().recoverWithItem(storeFailure -> {
                    Log.error("The broken reply could not be stored", storeFailure);
                    return new TurnEvent.Failed(null, cause);
                });
    }

    /** The caller disconnected: keep what was generated, on a context of its own since the request's is gone. */
    private void callerLeft() {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        ReplyOutcome outcome = outcome(text(), new ApiException(ErrorCode.client_disconnected,
                "The caller disconnected before the reply was complete"));
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> chat.store(start, slot, outcome, TurnMetrics.STREAM).subscribe().with(
                reply -> Log.infof("Caller left mid-stream; reply %s stored as %s", reply.id, reply.status),
                failure -> Log.error("Could not store the reply of a caller who left", failure)));
    }

    private ReplyOutcome outcome(String partial, ApiException cause) {
        MessageStatus status = partial.isEmpty() ? MessageStatus.failed : MessageStatus.incomplete;
        return new ReplyOutcome(status, partial, request.model(), llm.providerName(), null, null, 0,
                ChatService.millisSince(startedAt), timeToFirstTokenMs, cause);
    }

    private synchronized void append(String delta) {
        if (timeToFirstTokenMs == null) {
            timeToFirstTokenMs = ChatService.millisSince(startedAt);
        }
        text.append(delta);
    }

    private synchronized String text() {
        return text.toString();
    }
}
