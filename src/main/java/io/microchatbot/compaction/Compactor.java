package io.microchatbot.compaction;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Clock;
import io.microchatbot.Deadline;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.cache.ContextCache;
import io.microchatbot.event.Outbox;
import io.microchatbot.event.Periodic;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.LlmException;
import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.observability.EventLog;
import io.microchatbot.usage.Accounting;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Writes the summaries turns ask for (see {@code service.PromptBuilder}), after their reply is stored and off
 * their caller's path: read what is to be covered, ask the model, charge the call, store the summary (after any
 * turn running by then) and give it to the context cache. A summary that fails is counted and dropped: turns go on
 * trimming their history, and the next one asks again.
 */
@ApplicationScoped
public class Compactor {

    /** How often a written summary looks again whether the turn holding its conversation has ended. */
    private static final Duration BUSY_POLL = Duration.ofMillis(250);

    private final CompactionConfig config;
    private final SummaryStatements statements;
    private final SummaryPrompts prompts;
    private final ResilientLlm llm;
    private final Accounting accounting;
    private final Outbox outbox;
    private final ContextCache cache;
    private final CompactionMetrics metrics;
    private final TokenCounter tokens;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final int maxMessages;
    private final Set<UUID> writing = ConcurrentHashMap.newKeySet();

    Compactor(CompactionConfig config, SummaryStatements statements, SummaryPrompts prompts, ResilientLlm llm,
            Accounting accounting, Outbox outbox, ContextCache cache, CompactionMetrics metrics, TokenCounter tokens,
            ObjectMapper json, Vertx vertx, LlmConfig llmConfig) {
        if (!(config.keep() > 0 && config.keep() < config.threshold() && config.threshold() <= 1)) {
            throw new IllegalStateException("chatbot.compaction needs 0 < keep < threshold <= 1; it has keep="
                    + config.keep() + " and threshold=" + config.threshold());
        }
        this.config = config;
        this.statements = statements;
        this.prompts = prompts;
        this.llm = llm;
        this.accounting = accounting;
        this.outbox = outbox;
        this.cache = cache;
        this.metrics = metrics;
        this.tokens = tokens;
        this.json = json;
        this.vertx = vertx;
        this.maxMessages = llmConfig.contextMaxMessages();
        metrics.inProgress(writing);
    }

    /**
     * Starts writing the summary a turn needs, on a context of its own; at most one per conversation at a time on
     * this pod, and at most max-concurrent in all.
     */
    public void compactLater(CompactionNeed need, String turnModel, String apiKeyId) {
        UUID id = need.conversationId();
        if (writing.size() >= config.maxConcurrent()) {
            metrics.ended(CompactionOutcome.skipped);
            return;
        }
        if (!writing.add(id)) {
            return; // this pod is writing it already; the turns meanwhile trim
        }
        String model = config.model().orElse(turnModel);
        Periodic.onFreshContext(vertx, "History compaction", () -> compact(need, model, apiKeyId)
                .onFailure().recoverWithItem(failure -> {
                    if (failure instanceof LlmException) {
                        Log.warnf("The summary of conversation %s could not be written: %s", id, failure.getMessage());
                    } else {
                        Log.warnf(failure, "The summary of conversation %s could not be written", id);
                    }
                    return CompactionOutcome.failed;
                })
                .invoke(metrics::ended)
                .onTermination().invoke(() -> writing.remove(id))
                .replaceWithVoid());
    }

    private Uni<CompactionOutcome> compact(CompactionNeed need, String model, String apiKeyId) {
        return statements.toSummarise(need, maxMessages).chain(messages -> {
            SummaryPrompts.Draft draft = prompts.draft(need, messages, messages.size() < maxMessages, model);
            if (draft == null) {
                return Uni.createFrom().item(CompactionOutcome.nothing);
            }
            long startedAt = System.nanoTime();
            UUID summaryId = UUID.randomUUID();
            return llm.complete(draft.request(), Deadline.in(config.timeout()))
                    // Paid for whether or not it is stored in the end.
                    .invoke(completion -> accounting.recordApart(accounting.ofSummary(need.tenantId(),
                            need.userId(), apiKeyId, completion.model(), completion.provider(), completion.usage(),
                            need.conversationId(), summaryId)))
                    .chain(completion -> completion.content() == null || completion.content().isBlank()
                            ? Uni.createFrom().item(CompactionOutcome.failed)
                            : store(summary(summaryId, need, draft, completion, startedAt),
                                    Instant.now().plus(config.busyWait())));
        });
    }

    /**
     * Stores the summary after every message so far, once no turn holds the conversation: a refused store says why
     * only when the conversation is read again, and is tried again while the turn holding it may still end in time.
     */
    private Uni<CompactionOutcome> store(Message summary, Instant giveUpAt) {
        return statements.store(summary, outbox.messageCreatedEntry(summary)).chain(count -> count != null
                ? cache.append(summary, count).invoke(() -> logged(summary)).replaceWith(CompactionOutcome.compacted)
                : statements.state(summary).chain(state -> {
                    if (state == null) {
                        return Uni.createFrom().item(CompactionOutcome.nothing);
                    }
                    if (state.summarizedUntil() != null && !state.summarizedUntil().isBefore(summary.coversUntil)) {
                        return Uni.createFrom().item(CompactionOutcome.superseded);
                    }
                    if (Instant.now().isAfter(giveUpAt)) {
                        return Uni.createFrom().item(CompactionOutcome.busy);
                    }
                    Uni<Void> wait = state.held()
                            ? Uni.createFrom().voidItem().onItem().delayIt().by(BUSY_POLL)
                            : Uni.createFrom().voidItem();
                    return wait.chain(() -> store(at(summary, Clock.after(state.updatedAt())), giveUpAt));
                }));
    }

    private Message summary(UUID id, CompactionNeed need, SummaryPrompts.Draft draft, LlmCompletion completion,
            long startedAt) {
        Message summary = new Message();
        summary.id = id;
        summary.conversationId = need.conversationId();
        summary.tenantId = need.tenantId();
        summary.userId = need.userId();
        summary.messageType = MessageType.system;
        summary.status = MessageStatus.complete;
        summary.kind = Message.SUMMARY;
        summary.content = completion.content().strip();
        summary.contentTokens = tokens.count(summary.content);
        summary.model = completion.model();
        summary.provider = completion.provider();
        if (completion.usage() != null) {
            summary.promptTokens = completion.usage().promptTokens();
            summary.completionTokens = completion.usage().completionTokens();
            summary.totalTokens = completion.usage().totalTokens();
        }
        summary.latencyMs = (System.nanoTime() - startedAt) / 1_000_000;
        summary.coversFromId = draft.coversFrom();
        summary.coversToId = need.newestCovered().id;
        summary.coversUntil = need.newestCovered().createdAt;
        summary.coversCount = draft.coversCount();
        summary.metadata = metadata(summary);
        return at(summary, Clock.now());
    }

    /** The summary's metadata, in the shape of a reply's: how it was generated. */
    private String metadata(Message summary) {
        ObjectNode node = json.createObjectNode()
                .put("status", summary.status.name())
                .put("model", summary.model)
                .put("provider", summary.provider)
                .put("latency_ms", summary.latencyMs);
        if (summary.totalTokens != null) {
            node.putObject("usage")
                    .put("prompt_tokens", summary.promptTokens)
                    .put("completion_tokens", summary.completionTokens)
                    .put("total_tokens", summary.totalTokens);
        }
        return node.toString();
    }

    private static Message at(Message summary, Instant time) {
        summary.createdAt = time;
        summary.updatedAt = time;
        return summary;
    }

    private static void logged(Message summary) {
        EventLog.info("history_compacted", "History summarised: conversation=%s summary=%s covers=%s messages"
                + " until=%s tokens=%s", summary.conversationId, summary.id, summary.coversCount, summary.coversUntil,
                summary.contentTokens);
    }
}
