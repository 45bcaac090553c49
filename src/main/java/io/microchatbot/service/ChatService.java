package io.microchatbot.service;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.microchatbot.Deadline;
import io.microchatbot.Detached;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.admission.Permit;
import io.microchatbot.admission.TurnAdmission;
import io.microchatbot.compaction.Compactor;
import io.microchatbot.identity.Caller;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.LlmException;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.observability.EventLog;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.ratelimit.TurnSlot;
import io.microchatbot.usage.Accounting;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A chat turn: store the user message and claim the conversation, call the LLM with no transaction open, store
 * the reply and release the conversation, all of it within one admission permit. Whatever happens upstream, the
 * user message stays stored and the reply is stored with a status that says how it ended.
 */
@ApplicationScoped
public class ChatService {

    private final TurnStore turns;
    private final ResilientLlm llm;
    private final TurnConfig config;
    private final LlmConfig llmConfig;
    private final boolean logContent;
    private final Vertx vertx;
    private final TurnRedis redisCalls;
    private final TurnMetrics metrics;
    private final TurnAdmission admission;
    private final ReplyJudge judge;
    private final TurnFeed feed;
    private final RunningTurns running;
    private final Accounting accounting;
    private final Compactor compactor;

    ChatService(TurnStore turns, ResilientLlm llm, TurnConfig config, LlmConfig llmConfig,
            @ConfigProperty(name = "chatbot.log-content", defaultValue = "false") boolean logContent, Vertx vertx,
            TurnRedis redisCalls, TurnMetrics metrics, TurnAdmission admission, ReplyJudge judge, TurnFeed feed,
            RunningTurns running, Accounting accounting, Compactor compactor) {
        this.accounting = accounting;
        this.compactor = compactor;
        this.judge = judge;
        this.feed = feed;
        this.running = running;
        this.turns = turns;
        this.llm = llm;
        this.config = config;
        this.llmConfig = llmConfig;
        this.logContent = logContent;
        this.vertx = vertx;
        this.redisCalls = redisCalls;
        this.metrics = metrics;
        this.admission = admission;
    }

    /**
     * Runs a whole turn and returns both stored messages. On an LLM failure the failed reply is stored and the
     * {@link LlmException} is passed on for the caller to see as a problem. Once the user message is stored the
     * turn runs to its end even if the caller hangs up, so the reply is stored and the conversation released. A
     * turn not admitted (this pod runs its maximum of turns, see {@link TurnAdmission}) fails with
     * {@code 503 overloaded} before anything is stored; an admitted one holds its place until its reply is stored.
     */
    public Uni<TurnResult> send(Caller caller, UUID conversationId, UserInput input, Deadline deadline) {
        return admission.admitInTime(deadline, config.minTimeToStart(),
                permit -> runWhole(permit, caller, conversationId, input, deadline));
    }

    /**
     * Claims the conversation and stores the user message; failures here (404, 409, 400, 503 overloaded) happen
     * before any event is sent. The returned stream then never fails: it ends with exactly one terminal
     * {@link TurnEvent}. An admitted turn holds its place until the stream ends, however it ends.
     */
    public Uni<Multi<TurnEvent>> stream(Caller caller, UUID conversationId, UserInput input, Deadline deadline) {
        return admission.admitInTime(deadline, config.minTimeToStart(),
                permit -> startStream(permit, caller, conversationId, input, deadline));
    }

    private Uni<TurnResult> runWhole(Permit permit, Caller caller, UUID conversationId, UserInput input,
            Deadline deadline) {
        // Detached from the slot on: a caller hanging up mid-transaction must not close the session under it (the
        // turn would be cut half-way, or, once committed, left holding the conversation until its lease expires).
        return Detached.run(redisCalls.open(caller, input.apiKeyId(), conversationId)
                .chain(opening -> begin(opening, caller, conversationId, input)
                        .chain(start -> complete(start, opening.slot(), deadline, atItsEnd(start))
                                .onTermination().call(opening.slot()::release)))
                .onTermination().invoke(permit::release));
    }

    private Uni<Multi<TurnEvent>> startStream(Permit permit, Caller caller, UUID conversationId, UserInput input,
            Deadline deadline) {
        // The start is detached as in send(); a turn whose caller left before it started is answered all the same.
        return Detached.run(redisCalls.open(caller, input.apiKeyId(), conversationId)
                .chain(opening -> begin(opening, caller, conversationId, input)
                        .map(start -> events(start, opening.slot(), permit, deadline)))
                .onFailure().invoke(permit::release),
                abandoned -> abandoned.subscribe().with(ignored -> {
                }, failure -> Log.warn("A streamed turn whose caller left before it started failed", failure)));
    }

    /**
     * Starts the streamed turn at once: it runs to its end whoever listens, and holds its slot and admission place
     * until then, not until its caller stops listening.
     */
    private Multi<TurnEvent> events(TurnStart start, TurnSlot slot, Permit permit, Deadline deadline) {
        StreamedTurn turn = new StreamedTurn(this, llm, vertx, start, slot, request(start), deadline,
                feed.writer(start), config.whenCallerLeaves(), () -> ended(slot, permit));
        Multi<TurnEvent> view = turn.start();
        running.cancellable(start, true, turn::cut);
        return view
                .onSubscription().invoke(metrics::streamStarted)
                .onTermination().invoke(metrics::streamEnded);
    }

    private static void ended(TurnSlot slot, Permit permit) {
        permit.release();
        slot.release().subscribe().with(ignored -> {
        }, failure -> Log.warn("Could not give a turn slot back", failure));
    }

    /**
     * A whole turn's feed: its stored inputs and its outcome in one write at its end. It has no deltas to show while
     * it runs, and one write instead of two is a Redis round trip less on every JSON turn; a follower of a running
     * one waits (with keep-alives) and then gets every event at once.
     */
    private TurnFeed.Writer atItsEnd(TurnStart start) {
        TurnFeed.Writer writer = feed.writer(start);
        return terminal -> {
            List<TurnEvent> events = new ArrayList<>(start.inputs().size() + 1);
            start.inputs().forEach(input -> events.add(new TurnEvent.UserMessageStored(input)));
            events.add(terminal);
            writer.appendAll(events);
        };
    }

    /**
     * Starts the turn in its caller's slot, from the context the cache held; a turn that does not start gives the
     * slot back at once. (It runs detached from the caller, see send(), so no cancellation reaches it.)
     */
    private Uni<TurnStart> begin(TurnRedis.Opening opening, Caller caller, UUID conversationId, UserInput input) {
        return turns.begin(caller, conversationId, input, Uni.createFrom().item(opening.context()))
                .onFailure().call(opening.slot()::release);
    }

    /**
     * The provider call (and its repairs), unless the turn is cancelled first: a cancel cancels the call and the
     * turn stores an empty incomplete reply ({@code cancelled}) and answers with that problem.
     */
    private Uni<TurnResult> complete(TurnStart start, TurnSlot slot, Deadline deadline, TurnFeed.Writer feed) {
        long startedAt = System.nanoTime();
        LlmRequest request = request(start);
        Uni<Judged> answered = llm.complete(request, deadline)
                .chain(completion -> repaired(start, request, completion, deadline, judge.repairAttempts()));
        return cancellable(start, answered)
                .onItemOrFailure().transformToUni((judged, failure) -> failure == null
                        ? storeCompleted(start, slot, judged, startedAt, feed)
                        : storeFailed(start, slot, failure, startedAt, feed));
    }

    /**
     * The answer, or the cancel's problem if the turn is cancelled first (the call is then cancelled). An emitter
     * rather than a join with a future: this is every JSON turn's path, and a join and a completion stage cost a
     * few percent of a turn's CPU (JFR, bench/README.md).
     */
    private Uni<Judged> cancellable(TurnStart start, Uni<Judged> answered) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> call = new AtomicReference<>();
            running.cancellable(start, false, why -> {
                // The turn goes on where it ran, not on the thread that found the cancel.
                Runnable cut = () -> {
                    emitter.fail(why);
                    Cancellable started = call.get();
                    if (started != null) {
                        started.cancel();
                    }
                };
                if (context != null) {
                    context.runOnContext(ignored -> cut.run());
                } else {
                    cut.run();
                }
            });
            call.set(answered.subscribe().with(emitter::complete, emitter::fail));
        });
    }

    /**
     * A reply not in the shape asked for is asked again, with why, while repair attempts are left (configured; a
     * streamed reply is never repaired, its text is already out). The last answer is the one stored.
     */
    private Uni<Judged> repaired(TurnStart start, LlmRequest request, LlmCompletion completion, Deadline deadline,
            int attemptsLeft) {
        ReplyOutcome outcome = judge.judged(start.options(), completed(completion, 0L));
        // Only a text reply is asked again: a reply that called tools would need their results first.
        if (outcome.status() != MessageStatus.invalid || attemptsLeft <= 0 || !completion.toolCalls().isEmpty()) {
            return Uni.createFrom().item(new Judged(completion, outcome));
        }
        metrics.repairAttempted();
        LlmRequest again = request.followedBy(judge.repairPrompt(completion, outcome.error()));
        return llm.complete(again, deadline)
                .chain(next -> repaired(start, again, next.withAttempts(next.attempts() + completion.attempts())
                        .withUsage(LlmUsage.sum(completion.usage(), next.usage())), deadline, attemptsLeft - 1));
    }

    private Uni<TurnResult> storeCompleted(TurnStart start, TurnSlot slot, Judged judged, long startedAt,
            TurnFeed.Writer feed) {
        ReplyOutcome outcome = judged.outcome().status() == MessageStatus.invalid
                ? completed(judged.completion(), millisSince(startedAt)).invalid(judged.outcome().error())
                : completed(judged.completion(), millisSince(startedAt));
        Uni<Message> stored = store(start, slot, outcome, TurnMetrics.JSON);
        if (outcome.status() == MessageStatus.invalid) {
            // As a failed reply: stored first, then the caller gets the problem.
            return stored
                    .invoke(reply -> feed.append(new TurnEvent.Invalid(reply, outcome.error())))
                    .chain(() -> Uni.createFrom().failure(outcome.error()));
        }
        return stored
                .invoke(reply -> feed.append(new TurnEvent.Completed(reply)))
                .map(reply -> new TurnResult(start.userMessage(), reply));
    }

    private static ReplyOutcome completed(LlmCompletion completion, Long latencyMs) {
        return new ReplyOutcome(MessageStatus.complete, completion.content(), completion.model(),
                completion.provider(), completion.finishReason(), completion.usage(), completion.attempts(), latencyMs,
                null, null, completion.toolCalls(), List.of());
    }

    /** A streamed reply that came whole, judged against the shape its turn asked for. */
    ReplyOutcome judged(TurnStart start, ReplyOutcome outcome) {
        return judge.judged(start.options(), outcome);
    }

    /** A whole reply and how it was judged. */
    private record Judged(LlmCompletion completion, ReplyOutcome outcome) {
    }

    /**
     * Stores the failed reply (an empty incomplete one when the turn was cancelled), then fails with the upstream
     * problem (or with the storage failure).
     */
    private Uni<TurnResult> storeFailed(TurnStart start, TurnSlot slot, Throwable failure, long startedAt,
            TurnFeed.Writer feed) {
        boolean cancelled = failure instanceof ApiException api && api.code() == ErrorCode.cancelled;
        ApiException cause = cancelled || failure instanceof LlmException ? (ApiException) failure
                : LlmException.unavailable("The LLM call failed unexpectedly", 5);
        if (!cancelled && !(failure instanceof LlmException)) {
            Log.error("Unexpected failure of the LLM call", failure);
        }
        ReplyOutcome outcome = new ReplyOutcome(cancelled ? MessageStatus.incomplete : MessageStatus.failed, "",
                start.model(), llm.providerName(), null, null, 0, millisSince(startedAt), null, cause);
        return store(start, slot, outcome, TurnMetrics.JSON)
                .invoke(reply -> feed.append(cancelled ? new TurnEvent.Incomplete(reply, cause)
                        : new TurnEvent.Failed(reply, cause)))
                .chain(() -> Uni.createFrom().failure(cause));
    }

    /**
     * Stores a reply with its usage row, then, in one Redis round trip, caches both messages, charges the tokens and
     * the spend and frees the slot; if
     * storing fails the lease is released so that the conversation is not stuck. A conversation deleted meanwhile
     * makes the turn a 404.
     */
    Uni<Message> store(TurnStart start, TurnSlot slot, ReplyOutcome outcome, String mode) {
        return turns.finish(start, outcome)
                .invoke(stored -> metrics.replyStored(mode, stored.reply().status))
                .invoke(stored -> logProcessed(start, stored.reply(), mode))
                .call(stored -> redisCalls.close(start, stored, slot, usedTokens(stored.reply())))
                .invoke(stored -> accounting.counted(stored.spend()))
                .invoke(() -> compactIfNeeded(start))
                .map(StoredReply::reply)
                .onFailure().call(failure -> turns.release(start)
                        .onFailure().invoke(releaseFailure -> Log.warn("Could not release the conversation lease",
                                releaseFailure))
                        .onFailure().recoverWithNull())
                .onFailure(ConversationGone.INSTANCE).transform(gone -> new ApiException(ErrorCode.not_found,
                        "The conversation was deleted while its reply was being generated"));
    }

    /** The summary the turn's history needs is written now that its reply is stored, off its caller's path. */
    private void compactIfNeeded(TurnStart start) {
        if (start.compaction() != null) {
            compactor.compactLater(start.compaction(), start.model(), start.apiKeyId());
        }
    }

    private void logProcessed(TurnStart start, Message reply, String mode) {
        EventLog.info("message_processed", "Turn answered: conversation=%s message=%s reply=%s status=%s mode=%s"
                + " model=%s latency_ms=%s total_tokens=%s%s", reply.conversationId, start.userMessage().id, reply.id,
                reply.status, mode, reply.model, reply.latencyMs, reply.totalTokens,
                logContent ? " content=" + abbreviate(start.userMessage().content) + " reply_content="
                        + abbreviate(reply.content) : "");
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    /** What the provider reported, else an estimate: the reply's tokens (a cut stream reports no usage). */
    private static long usedTokens(Message reply) {
        return reply.totalTokens != null ? reply.totalTokens : reply.contentTokens;
    }

    private LlmRequest request(TurnStart start) {
        return new LlmRequest(start.model(), start.prompt(),
                start.parameters().sampling(llmConfig.maxTokens(), llmConfig.temperature()),
                start.options().toolList(), start.options().toolChoice(), start.options().responseFormat());
    }

    static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
