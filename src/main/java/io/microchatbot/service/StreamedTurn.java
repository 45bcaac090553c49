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
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One streamed turn after its user message is stored. It runs on its own, whoever listens: its events go to its
 * caller (buffered until the caller subscribes) and to its {@link TurnFeed}, where a caller on any replica can
 * follow it. It settles the reply exactly once: complete on the provider's end, incomplete when the stream broke
 * after some text or the turn was cut (cancelled, its pod stopping, or its caller leaving when so configured),
 * failed when nothing was generated. Replies are written detached from any caller's subscription, so a caller who
 * leaves mid-write cannot cancel the write.
 */
final class StreamedTurn {

    private final ChatService chat;
    private final ResilientLlm llm;
    private final Vertx vertx;
    private final TurnStart start;
    private final TurnSlot slot;
    private final LlmRequest request;
    private final Deadline deadline;
    private final TurnFeed.Writer feed;
    private final TurnConfig.WhenCallerLeaves whenCallerLeaves;
    private final Runnable onEnd;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAssembly calls = new ToolCallAssembly();
    private final long startedAt = System.nanoTime();
    private final UnicastProcessor<TurnEvent> caller = UnicastProcessor.create();
    private volatile Cancellable upstream;
    private volatile boolean cutShort;
    private volatile Long timeToFirstTokenMs;
    private boolean ended;

    StreamedTurn(ChatService chat, ResilientLlm llm, Vertx vertx, TurnStart start, TurnSlot slot,
            LlmRequest request, Deadline deadline, TurnFeed.Writer feed, TurnConfig.WhenCallerLeaves whenCallerLeaves,
            Runnable onEnd) {
        this.deadline = deadline;
        this.chat = chat;
        this.llm = llm;
        this.vertx = vertx;
        this.start = start;
        this.slot = slot;
        this.request = request;
        this.feed = feed;
        this.whenCallerLeaves = whenCallerLeaves;
        this.onEnd = onEnd;
    }

    /** Starts the turn, and returns its caller's view of it: every event from the first, to the terminal one. */
    Multi<TurnEvent> start() {
        start.inputs().forEach(input -> emit(new TurnEvent.UserMessageStored(input)));
        upstream = llm.stream(request, deadline)
                .onItem().transformToUniAndConcatenate(this::relay)
                .onFailure().recoverWithMulti(failure -> broken(failure).toMulti())
                .subscribe().with(this::emit, failure -> Log.error("A streamed turn failed unexpectedly", failure));
        return caller.onCancellation().invoke(this::callerLeft);
    }

    /**
     * Ends the turn now, keeping what was generated: the provider call is cancelled and the reply stored as
     * incomplete (a cancel: even when nothing was generated yet), then the terminal event is sent. Nothing happens
     * when the turn has settled already.
     */
    void cut(ApiException why) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        cutShort = true;
        Cancellable running = upstream;
        if (running != null) {
            running.cancel();
        }
        ReplyOutcome outcome = outcome(why, why.code() == ErrorCode.cancelled);
        // On a context of its own: the request's may be gone, and a cancel comes from no request of this turn.
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> chat.store(start, slot, outcome, TurnMetrics.STREAM).subscribe().with(
                reply -> {
                    Log.infof("Turn cut (%s); reply %s stored as %s", why.code(), reply.id, reply.status);
                    emit(outcome.status() == MessageStatus.failed ? new TurnEvent.Failed(reply, why)
                            : new TurnEvent.Incomplete(reply, why));
                },
                failure -> {
                    Log.error("Could not store the reply of a turn cut short", failure);
                    emit(new TurnEvent.Failed(null, why));
                }));
    }

    /** To the caller and the feed, in order; the terminal event ends the turn. Late events of a cut turn drop. */
    private synchronized void emit(TurnEvent event) {
        if (ended) {
            return;
        }
        feed.append(event);
        caller.onNext(event);
        if (event.terminal()) {
            ended = true;
            caller.onComplete();
            onEnd.run();
        }
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
        if (!settled.compareAndSet(false, true)) {
            return Uni.createFrom().nothing(); // cut meanwhile: the cut stores the reply and ends the turn
        }
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
        if (cutShort) {
            return Uni.createFrom().nothing(); // the cut ends the turn
        }
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
        ReplyOutcome outcome = outcome(cause, false);
        return Detached.run(chat.store(start, slot, outcome, TurnMetrics.STREAM))
                .<TurnEvent> map(reply -> outcome.status() == MessageStatus.failed ? new TurnEvent.Failed(reply, cause)
                        : new TurnEvent.Incomplete(reply, cause))
                .onFailure().recoverWithItem(storeFailure -> {
                    Log.error("The broken reply could not be stored", storeFailure);
                    return new TurnEvent.Failed(null, cause);
                });
    }

    /** The caller disconnected: the turn runs on to be followed again, or is cut, as configured. */
    private void callerLeft() {
        if (whenCallerLeaves == TurnConfig.WhenCallerLeaves.STOP) {
            cut(new ApiException(ErrorCode.client_disconnected,
                    "The caller disconnected before the reply was complete"));
        }
    }

    /**
     * A reply cut short: incomplete when anything was generated (text or a tool call's start), else failed. Tool
     * calls cut short are kept for the record only, never as calls to run: their arguments may be cut mid-JSON.
     */
    private synchronized ReplyOutcome outcome(ApiException cause, boolean incompleteAnyway) {
        String partial = text.toString();
        boolean generated = !partial.isEmpty() || !calls.isEmpty() || incompleteAnyway;
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
