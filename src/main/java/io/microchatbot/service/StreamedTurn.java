package io.microchatbot.service;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.microchatbot.Deadline;
import io.microchatbot.Detached;
import io.microchatbot.MessageStatus;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmException;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.llm.ToolCallAssembly;
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
    private final ToolCallAssembly calls = new ToolCallAssembly();
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
                .streams(Multi.createFrom().iterable(start.inputs()).map(TurnEvent.UserMessageStored::new), reply)
                .onCancellation().invoke(this::callerLeft);
    }

    private Uni<TurnEvent> relay(LlmChunk chunk) {
        return switch (chunk) {
            case LlmChunk.Delta delta -> {
                append(delta.content());
                yield Uni.createFrom().item(new TurnEvent.Delta(delta.content()));
            }
            case LlmChunk.ToolCallDelta delta -> {
                append(delta);
                yield Uni.createFrom().item(new TurnEvent.ToolCallDelta(delta.index(), delta.id(), delta.name(),
                        delta.arguments()));
            }
            case LlmChunk.Finished finished -> finish(finished);
        };
    }

    /** The provider's end: the reply is complete, or, when not in the shape asked for, invalid. */
    private Uni<TurnEvent> finish(LlmChunk.Finished finished) {
        settled.set(true);
        ReplyOutcome outcome = new ReplyOutcome(MessageStatus.complete, text(), finished.model(), finished.provider(),
                finished.finishReason(), finished.usage(), finished.attempts(), ChatService.millisSince(startedAt),
                timeToFirstTokenMs, null, toolCalls(), List.of());
        ReplyOutcome judged = chat.judged(start, outcome);
        return Detached.run(chat.store(start, slot, judged, TurnMetrics.STREAM))
                .map(reply -> judged.status() == MessageStatus.invalid
                        ? new TurnEvent.Invalid(reply, judged.error())
                        : new TurnEvent.Completed(reply));
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
        ReplyOutcome outcome = outcome(cause);
        return Detached.run(chat.store(start, slot, outcome, TurnMetrics.STREAM))
                .<TurnEvent> map(reply -> outcome.status() == MessageStatus.failed ? new TurnEvent.Failed(reply, cause)
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
        ReplyOutcome outcome = outcome(new ApiException(ErrorCode.client_disconnected,
                "The caller disconnected before the reply was complete"));
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> chat.store(start, slot, outcome, TurnMetrics.STREAM).subscribe().with(
                reply -> Log.infof("Caller left mid-stream; reply %s stored as %s", reply.id, reply.status),
                failure -> Log.error("Could not store the reply of a caller who left", failure)));
    }

    /**
     * A reply cut short: incomplete when anything was generated (text or a tool call's start), else failed. Tool
     * calls cut short are kept for the record only, never as calls to run: their arguments may be cut mid-JSON.
     */
    private synchronized ReplyOutcome outcome(ApiException cause) {
        String partial = text.toString();
        boolean generated = !partial.isEmpty() || !calls.isEmpty();
        return new ReplyOutcome(generated ? MessageStatus.incomplete : MessageStatus.failed, partial, request.model(),
                llm.providerName(), null, null, 0, ChatService.millisSince(startedAt), timeToFirstTokenMs, cause,
                List.of(), calls.calls());
    }

    private synchronized void append(String delta) {
        firstToken();
        text.append(delta);
    }

    private synchronized void append(LlmChunk.ToolCallDelta delta) {
        firstToken();
        calls.add(delta);
    }

    private void firstToken() {
        if (timeToFirstTokenMs == null) {
            timeToFirstTokenMs = ChatService.millisSince(startedAt);
        }
    }

    private synchronized List<ToolCall> toolCalls() {
        return calls.calls();
    }

    private synchronized String text() {
        return text.toString();
    }
}
