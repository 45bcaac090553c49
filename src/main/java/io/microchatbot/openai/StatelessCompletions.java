package io.microchatbot.openai;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.Deadline;
import io.microchatbot.admission.Permit;
import io.microchatbot.admission.TurnAdmission;
import io.microchatbot.llm.FirstToken;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.llm.LlmCompletion;
import io.microchatbot.llm.LlmUsage;
import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.llm.ToolCall;
import io.microchatbot.llm.ToolCallAssembly;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.ratelimit.RateLimiter;
import io.microchatbot.ratelimit.TurnSlot;
import io.microchatbot.ratelimit.TurnSlots;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.redis.Pipelined;
import io.microchatbot.security.Access;
import io.microchatbot.service.TurnConfig;
import io.microchatbot.structured.ReplyFormats;
import io.microchatbot.usage.Accounting;
import io.microchatbot.usage.Budgets;
import io.microchatbot.usage.Spend;
import io.microchatbot.usage.UsageRecords;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A chat completion that keeps nothing but its usage: the LLM behind its retries, breakers, fallbacks and bulkhead
 * ({@link ResilientLlm}), held like a turn. It needs time to start before the caller's deadline, an admission
 * permit ({@link TurnAdmission}) and one of the caller's concurrent-turn places ({@link TurnSlots}); it gives them
 * back when it fully ends (a stream: when it ends, breaks or its caller leaves), charges the tenant's token budget
 * and writes its usage row. A stream that started and then broke, or was left, used tokens too: it is recorded with
 * an estimate.
 */
@ApplicationScoped
public class StatelessCompletions implements CompletionMode {

    private final ResilientLlm llm;
    private final TurnAdmission admission;
    private final TurnConfig turns;
    private final TurnSlots slots;
    private final BoundedRedis redis;
    private final RateLimiter limiter;
    private final UsageRecords usage;
    private final Budgets budgets;
    private final Accounting accounting;
    private final TokenCounter tokens;
    private final ReplyFormats formats;

    StatelessCompletions(ResilientLlm llm, TurnAdmission admission, TurnConfig turns, TurnSlots slots,
            BoundedRedis redis, RateLimiter limiter, UsageRecords usage, TokenCounter tokens, ReplyFormats formats,
            Budgets budgets, Accounting accounting) {
        this.budgets = budgets;
        this.accounting = accounting;
        this.formats = formats;
        this.llm = llm;
        this.admission = admission;
        this.turns = turns;
        this.slots = slots;
        this.redis = redis;
        this.limiter = limiter;
        this.usage = usage;
        this.tokens = tokens;
    }

    @Override
    public Uni<LlmCompletion> complete(Access access, ChatCompletionCall call, Deadline deadline) {
        return held(access, deadline, hold -> llm.complete(call.request(), deadline)
                .map(completion -> answered(hold, call, completion))
                .invoke(completion -> ensureShaped(call, completion.content(), completion.toolCalls()))
                .onTermination().invoke(hold::end));
    }

    @Override
    public Uni<Multi<LlmChunk>> stream(Access access, ChatCompletionCall call, Deadline deadline) {
        return held(access, deadline, hold -> {
            StreamTally tally = new StreamTally(call);
            hold.settleWith(tally::recordInto);
            return FirstToken.open(llm.stream(call.request(), deadline))
                    .map(chunks -> chunks
                            .map(tally::seen)
                            .onTermination().invoke(hold::end))
                    // a stream that started ends its hold itself; one that did not start never will
                    .onFailure().invoke(hold::end)
                    .onCancellation().invoke(hold::end);
        });
    }

    /**
     * Runs {@code work} once the caller may start one more call and its budgets are not spent (429
     * budget_exhausted otherwise, before the provider is called), both in one Redis round trip; a call refused on
     * the way holds nothing.
     */
    private <T> Uni<T> held(Access access, Deadline deadline, Function<Hold, Uni<T>> work) {
        return admission.admitInTime(deadline, turns.minTimeToStart(),
                permit -> open(access)
                        .onFailure().invoke(permit::release)
                        .onCancellation().invoke(permit::release)
                        .chain(slot -> work.apply(new Hold(access, permit, slot))));
    }

    private Uni<TurnSlot> open(Access access) {
        Pipelined<TurnSlot> slot = slots.acquisition(access.caller());
        Pipelined<Void> budget = budgets.check(access.caller().tenantId(), access.apiKeyId());
        return redis.pipeline("openai-open", List.of(slot, budget))
                .chain(replies -> Budgets.settledAfter(slot.settle(replies.get(0)), budget, replies.get(1)));
    }

    /**
     * A reply must be what the request's response_format asked for, and tool arguments JSON objects: the service
     * checks what the provider promised, so that a caller parsing it never gets a well-formed-looking failure.
     */
    private void ensureShaped(ChatCompletionCall call, String content, List<ToolCall> toolCalls) {
        for (ToolCall toolCall : toolCalls) {
            formats.argumentsViolation(toolCall.arguments()).ifPresent(why -> {
                throw new ApiException(ErrorCode.llm_invalid_output, "The arguments of tool call " + toolCall.id()
                        + " are not a JSON object: " + why);
            });
        }
        ResponseFormat format = call.request().responseFormat();
        if (format != null && format.wantsJson() && toolCalls.isEmpty()) {
            formats.violation(format, content).ifPresent(why -> {
                throw new ApiException(ErrorCode.llm_invalid_output,
                        "The reply does not match the requested response_format (" + format.type() + "): " + why);
            });
        }
    }

    /** The completion with its usage (an estimate when the provider reported none), held to be charged. */
    private LlmCompletion answered(Hold hold, ChatCompletionCall call, LlmCompletion completion) {
        LlmCompletion counted = withUsage(completion, call);
        hold.answered(call.request().model(), completion.provider(), counted.usage(), completion.usage() == null);
        return counted;
    }

    private LlmCompletion withUsage(LlmCompletion completion, ChatCompletionCall call) {
        if (completion.usage() != null) {
            return completion;
        }
        StringBuilder text = new StringBuilder(completion.content() == null ? "" : completion.content());
        completion.toolCalls().forEach(toolCall -> text.append(toolCall.name()).append(toolCall.arguments()));
        return new LlmCompletion(completion.content(), completion.toolCalls(), completion.model(),
                completion.provider(), completion.finishReason(), estimate(call, text.toString()),
                completion.attempts());
    }

    private LlmUsage estimate(ChatCompletionCall call, String reply) {
        int prompt = tokens.countPrompt(call.request().messages());
        int completion = tokens.count(reply);
        return new LlmUsage(prompt, completion, prompt + completion);
    }

    /**
     * What one call holds: its admission permit and its concurrent-turn place. {@link #end()} gives both back once,
     * however the call ended, with the token charge of what it used in the same Redis round trip.
     */
    private final class Hold {

        private final Access access;
        private final Permit permit;
        private final TurnSlot slot;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Spend answered;
        private volatile Consumer<Hold> beforeEnd = hold -> {
        };

        Hold(Access access, Permit permit, TurnSlot slot) {
            this.access = access;
            this.permit = permit;
            this.slot = slot;
        }

        void answered(String model, String provider, LlmUsage used, boolean estimated) {
            answered = accounting.ofCall(access.caller().tenantId(), access.caller().userId(), access.apiKeyId(),
                    model, provider, used, estimated);
        }

        /** What to record when the call ends, for a call whose answer is known only then (a stream). */
        void settleWith(Consumer<Hold> settle) {
            beforeEnd = settle;
        }

        void end() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            beforeEnd.accept(this);
            permit.release();
            Spend record = answered;
            long used = record == null ? 0 : record.usage().totalTokens();
            List<Pipelined<Void>> steps = List.of(limiter.tokenCharge(access.caller().tenantId(), used),
                    budgets.charge(record), slot.releaseStep());
            redis.pipeline("openai-close", steps)
                    .invoke(replies -> {
                        for (int i = 0; i < steps.size(); i++) {
                            steps.get(i).settle(replies.get(i));
                        }
                    })
                    .subscribe().with(ignored -> {
                    }, failure -> {
                        // the pipeline never fails; Redis trouble is reported by BoundedRedis
                    });
            if (record != null) {
                usage.record(record);
                accounting.counted(record);
            }
        }
    }

    /** What one stream has sent so far, for its usage: the provider's when it reported it, else an estimate. */
    private final class StreamTally {

        private final ChatCompletionCall call;
        private final StringBuilder text = new StringBuilder();
        private final ToolCallAssembly calls = new ToolCallAssembly();
        private volatile LlmChunk.Finished finished;
        private volatile boolean reportedNone;
        private boolean started;

        StreamTally(ChatCompletionCall call) {
            this.call = call;
        }

        /** The chunk as relayed; a finish always carries usage. */
        synchronized LlmChunk seen(LlmChunk chunk) {
            started = true;
            switch (chunk) {
                case LlmChunk.Delta delta -> text.append(delta.content());
                case LlmChunk.ToolCallDelta delta -> calls.add(delta);
                case LlmChunk.Finished last -> {
                    reportedNone = last.usage() == null;
                    finished = last.usage() != null ? last
                            : new LlmChunk.Finished(last.model(), last.finishReason(), estimate(call, sent()),
                                    last.attempts(), last.provider());
                    // Paid for (recorded above), but not what was asked: an error event instead of a finish.
                    ensureShaped(call, text.toString(), calls.calls());
                    return finished;
                }
            }
            return chunk;
        }

        /** Nothing when no chunk reached the caller: a stream that never started used nothing it was sent. */
        synchronized void recordInto(Hold hold) {
            LlmChunk.Finished last = finished;
            if (!started) {
                return;
            }
            if (last != null) {
                hold.answered(call.request().model(),
                        last.provider() != null ? last.provider() : llm.providerName(), last.usage(), reportedNone);
            } else {
                hold.answered(call.request().model(), llm.providerName(), estimate(call, sent()), true);
            }
        }

        private String sent() {
            StringBuilder all = new StringBuilder(text);
            calls.calls().forEach(toolCall -> all.append(toolCall.name()).append(toolCall.arguments()));
            return all.toString();
        }
    }
}
