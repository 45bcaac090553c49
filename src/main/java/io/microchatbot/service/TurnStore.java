package io.microchatbot.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Clock;
import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.api.TurnPaths;
import io.microchatbot.cache.CachedContext;
import io.microchatbot.cache.ContextCache;
import io.microchatbot.event.Outbox;
import io.microchatbot.generation.GenerationJson;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.identity.Caller;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.microchatbot.repository.TurnStatements;
import io.microchatbot.usage.Accounting;
import io.microchatbot.usage.Spend;
import io.smallrye.mutiny.Uni;

/**
 * The writes of a turn, one statement each (repository.TurnStatements). {@link #begin} reads the conversation and its
 * context, then claims it (one turn at a time, by a lease that expires if the pod dies) and stores the user message;
 * {@link #finish} stores the reply and gives the conversation back. The LLM is called between them, with no
 * connection held.
 */
@ApplicationScoped
public class TurnStore {

    /** A claim refused because the conversation moved on since it was read is retried with what it became. */
    private static final int CLAIM_ATTEMPTS = 3;

    private final TurnStatements statements;
    private final PromptBuilder prompts;
    private final TurnConfig config;
    private final String defaultModel;
    private final Replies replies;
    private final RunningTurns running;
    private final ContextCache cache;
    private final Outbox outbox;
    private final Accounting accounting;

    TurnStore(TurnStatements statements, PromptBuilder prompts, TurnConfig config, LlmConfig llm, Replies replies,
            RunningTurns running, ContextCache cache, Outbox outbox, Accounting accounting) {
        this.accounting = accounting;
        this.statements = statements;
        this.prompts = prompts;
        this.config = config;
        this.defaultModel = llm.model();
        this.replies = replies;
        this.running = running;
        this.cache = cache;
        this.outbox = outbox;
    }

    /**
     * 404 when the caller has no such conversation, 409 conversation_busy while another turn holds it. The turn
     * counts as running ({@link RunningTurns}) from the claim until {@link #finish} or {@link #release} committed.
     */
    public Uni<TurnStart> begin(Caller caller, UUID conversationId, UserInput input) {
        return begin(caller, conversationId, input, cache.snapshot(caller.tenantId(), conversationId));
    }

    /** As above, with what the cache held of the conversation, read with the turn's other Redis calls. */
    public Uni<TurnStart> begin(Caller caller, UUID conversationId, UserInput input,
            Uni<Optional<CachedContext>> cached) {
        return begin(caller, conversationId, input, cached, 1)
                .invoke(begun -> running.begun(begun.start()))
                .call(this::cacheMissed)
                .map(Begun::start);
    }

    /**
     * Stores the reply and ends the turn; the reply is stored even when the conversation moved on. The cache is
     * given it (and the user message) by the caller, with its other Redis calls.
     */
    public Uni<StoredReply> finish(TurnStart turn, ReplyOutcome outcome) {
        Message reply = replies.reply(turn.userMessage(), outcome, turn.parameters(),
                Clock.after(turn.userMessage().createdAt));
        // Its usage row goes in with it, in the same statement: an append, never a shared row to update.
        Spend spend = accounting.ofReply(reply.tenantId, reply.userId, turn.apiKeyId(), turn.model(),
                reply.provider, outcome.usage(), turn.prompt(), reply.contentTokens, reply.conversationId, reply.id);
        return statements.storeReply(reply, turn.lease(), outbox.replyStoredEntry(reply, turn.userMessage().id),
                spend)
                .invoke(() -> running.ended(turn))
                .map(count -> new StoredReply(reply, count, spend))
                .onFailure(ConversationGone.INSTANCE).invoke(() -> accounting.recordApart(spend));
    }

    /** Ends a turn whose reply could not be stored, so that the conversation is usable again at once. */
    public Uni<Integer> release(TurnStart turn) {
        return statements.releaseLease(turn.userMessage().conversationId, turn.lease())
                .onTermination().invoke(() -> running.ended(turn));
    }

    /**
     * Reads the conversation and the cached context at once; a context the cache does not hold at the conversation's
     * count is read from PostgreSQL with the conversation, in one snapshot.
     */
    private Uni<Begun> begin(Caller caller, UUID conversationId, UserInput input,
            Uni<Optional<CachedContext>> cached, int attempt) {
        return Uni.combine().all()
                .unis(statements.conversation(conversationId, caller), cached)
                .asTuple()
                .chain(read -> read.getItem1() == null
                        ? Uni.createFrom().failure(ApiException.notFound("Conversation"))
                        : history(read.getItem1(), read.getItem2(), caller))
                .chain(read -> claim(read, input, caller, attempt));
    }

    private Uni<Read> history(Conversation conversation, Optional<CachedContext> cached, Caller caller) {
        boolean hit = cached.isPresent() && cached.get().messageCount() == conversation.messageCount;
        cached.ifPresent(found -> cache.counted(ContextCache.CONTEXT, hit));
        if (hit) {
            return Uni.createFrom().item(new Read(conversation, new History(cached.get().newestFirst(), true)));
        }
        return statements.conversationWithHistory(conversation.id, caller, cache.maxMessages())
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .map(snapshot -> new Read(snapshot.conversation(), new History(snapshot.newestFirst(), false)));
    }

    /**
     * Takes the turn and stores the user message, if the conversation is still as it was read. Its time is never
     * before the newest message's: keyset readers rely on a conversation's messages being created in order. A claim
     * that took nothing is told apart only now, by reading the conversation again.
     */
    private Uni<Begun> claim(Read read, UserInput input, Caller caller, int attempt) {
        Conversation conversation = read.conversation();
        Instant now = Clock.now();
        ensureIdle(conversation, now);
        List<Message> newest = read.history().newestFirst();
        PendingToolCalls.ensureAnswered(PendingToolCalls.in(newest), input);
        GenerationOptions options = GenerationJson.fromJson(conversation.generation).overriddenBy(input.options());
        options.choiceProblem().ifPresent(problem -> {
            throw ApiException.invalid("tool_choice", problem);
        });
        prompts.ensureFits(conversation, input.totalTokens(), options);
        List<Message> inputs = inputMessages(conversation, input,
                Clock.after(newest.isEmpty() ? null : newest.get(0).createdAt));
        Message last = inputs.get(inputs.size() - 1);
        Instant lease = last.createdAt.plus(config.lease());
        String model = input.parameters().model() != null ? input.parameters().model()
                : conversation.model != null ? conversation.model : defaultModel;
        ensureAllowed(model, input);
        // The one-statement claim of a user message is the hot path; tool results take the array form.
        Uni<Long> claimed = !input.answersToolCalls()
                ? statements.claim(last, conversation.messageCount, lease, now, outbox.messageCreatedEntry(last))
                : statements.claimWithMany(inputs, conversation.messageCount, lease, now,
                        inputs.stream().map(outbox::messageCreatedEntry).toList());
        return claimed
                .chain(count -> count != null
                        ? Uni.createFrom().item(new Begun(started(conversation, inputs, newest, options, model, input,
                                lease, count, read.history().cached()), read.history()))
                        : refused(caller, conversation.id, input, attempt));
    }

    private TurnStart started(Conversation conversation, List<Message> inputs, List<Message> newest,
            GenerationOptions options, String model, UserInput input, Instant lease, long count, boolean cached) {
        PromptBuilder.Prompt prompt = prompts.build(conversation, inputs, newest, options);
        return new TurnStart(inputs, model, prompt.messages(), options, input.parameters(), lease, count, cached,
                input.apiKeyId(), prompt.compaction());
    }

    /** The claim took nothing: the conversation is gone (404), busy (409), or moved on (read it again). */
    private Uni<Begun> refused(Caller caller, UUID conversationId, UserInput input, int attempt) {
        return statements.conversation(conversationId, caller)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Conversation"))
                .invoke(conversation -> ensureIdle(conversation, Clock.now()))
                .chain(conversation -> attempt < CLAIM_ATTEMPTS
                        ? begin(caller, conversationId, input, cache.snapshot(caller.tenantId(), conversationId),
                                attempt + 1)
                        : Uni.createFrom().failure(busy(conversationId)));
    }

    /**
     * After a claim whose context the cache did not hold: the cache gets the whole state it now knows. (A hit leaves
     * the user message's append for the turn's last Redis round trip, see {@link TurnStart}.)
     */
    private Uni<Void> cacheMissed(Begun begun) {
        if (begun.history().cached()) {
            return Uni.createFrom().voidItem();
        }
        List<Message> inputs = begun.start().inputs();
        Message last = begun.start().userMessage();
        List<Message> newestFirst = new ArrayList<>(begun.history().newestFirst().size() + inputs.size());
        newestFirst.addAll(inputs.reversed());
        newestFirst.addAll(begun.history().newestFirst());
        return cache.fill(last.tenantId, last.conversationId, begun.start().messageCount(), newestFirst);
    }

    /**
     * The model a turn runs on must be one its caller may use, wherever it came from: the turn, its conversation
     * (set before the list changed, or by another caller) or the default.
     */
    private static void ensureAllowed(String model, UserInput input) {
        if (input.allowedModels() == null || input.allowedModels().contains(model)) {
            return;
        }
        String source = input.parameters().model() != null ? "The model '" + model + "'"
                : "This turn names no model, and its conversation's or the default one, '" + model + "',";
        throw new ApiException(ErrorCode.model_not_allowed, source + " is not allowed for this caller; allowed: "
                + String.join(", ", input.allowedModels()), null,
                List.of(new FieldError("model", "is not one of the allowed models")));
    }

    private void ensureIdle(Conversation conversation, Instant now) {
        if (conversation.turnRunning(now)) {
            throw busy(conversation.id);
        }
    }

    /** Points at the running turn's events, so that a caller who lost its stream can follow it again. */
    private ApiException busy(UUID conversationId) {
        return new ApiException(ErrorCode.conversation_busy,
                "Another message of this conversation is being answered; follow it at turn_events, or send this one"
                        + " when it is done",
                config.busyRetryAfterSeconds(), List.of(), TurnPaths.currentEvents(conversationId));
    }

    /** A conversation as read for a turn, with the context the prompt is built from. */
    record Read(Conversation conversation, History history) {
    }

    /** A conversation's newest messages, newest first, and whether they came from the cache. */
    record History(List<Message> newestFirst, boolean cached) {
    }

    /** A committed turn start, with the history it was built on. */
    record Begun(TurnStart start, History history) {
    }

    /**
     * The messages the input stores, in order: one user message, or one tool message per result, each created after
     * the one before it (keyset order).
     */
    private static List<Message> inputMessages(Conversation conversation, UserInput input, Instant first) {
        if (!input.answersToolCalls()) {
            return List.of(message(conversation, MessageType.user, input.content(), input.metadataJson(),
                    input.contentTokens(), null, first));
        }
        List<Message> messages = new ArrayList<>(input.toolResults().size());
        Instant at = first;
        for (UserInput.ToolResult result : input.toolResults()) {
            messages.add(message(conversation, MessageType.tool, result.content(), input.metadataJson(),
                    result.contentTokens(), result.toolCallId(), at));
            at = Clock.after(at);
        }
        return messages;
    }

    private static Message message(Conversation conversation, MessageType type, String content, String metadata,
            int contentTokens, String toolCallId, Instant now) {
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.conversationId = conversation.id;
        message.tenantId = conversation.tenantId;
        message.userId = conversation.userId;
        message.messageType = type;
        message.status = MessageStatus.complete;
        message.content = content;
        message.metadata = metadata;
        message.contentTokens = contentTokens;
        message.toolCallId = toolCallId;
        message.createdAt = now;
        message.updatedAt = now;
        return message;
    }
}
