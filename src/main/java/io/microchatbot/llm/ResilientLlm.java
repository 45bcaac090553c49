package io.microchatbot.llm;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.microchatbot.Deadline;
import io.microchatbot.admission.TurnCapacity;
import io.microchatbot.problem.ErrorCode;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The LLM as the rest of the service sees it: the provider behind SmallRye Fault Tolerance.
 * <ul>
 * <li>per model: retries with exponential backoff and jitter (honouring the provider's Retry-After) on retryable
 * failures only, inside a circuit breaker named {@code llm:<provider>:<model>};</li>
 * <li>then the fallback models, in order, and then the second provider, each with its own retries and breaker;</li>
 * <li>around it all, a bulkhead bounding the calls of this pod (a stream keeps its place until it ends); overflow
 * is 503 {@code llm_overloaded}. By default it is as large as the admission limit, which bounds the turns.</li>
 * </ul>
 * A stream is retried or moved to a fallback model only until its first chunk: after that it is never repeated.
 * Guards are built in code rather than with annotations because breakers are per model, and models come from
 * requests and configuration.
 */
@ApplicationScoped
public class ResilientLlm {

    private static final TypeLiteral<Uni<LlmCompletion>> COMPLETION = new TypeLiteral<>() {
    };
    private static final TypeLiteral<Uni<Multi<LlmChunk>>> STREAM = new TypeLiteral<>() {
    };

    private final LlmBackends backends;
    private final LlmConfig config;
    private final Guard bulkhead;
    private final Map<String, Guard> perTarget = new ConcurrentHashMap<>();
    private final LlmMetrics metrics;
    private final LlmSpans spans;

    ResilientLlm(LlmBackends backends, LlmConfig config, LlmMetrics metrics, LlmSpans spans,
            TurnCapacity capacity) {
        this.backends = backends;
        this.metrics = metrics;
        this.spans = spans;
        this.config = config;
        this.bulkhead = Guard.create()
                .withDescription("llm-bulkhead")
                .withBulkhead().limit(this.config.bulkhead().maxConcurrent().orElse(capacity.limit()))
                .queueSize(this.config.bulkhead().queue())
                .done()
                .build();
    }

    /** The provider asked first. */
    public String providerName() {
        return backends.primary().name();
    }

    /** A whole reply, from the requested model or a fallback; fails with an {@link LlmException}. */
    public Uni<LlmCompletion> complete(LlmRequest request, Deadline deadline) {
        AtomicReference<Attempts> attempts = new AtomicReference<>(Attempts.none(first(request)));
        LlmCallObserver call = observe(request, false, System.nanoTime());
        Uni<LlmCompletion> answer = bulkhead.get(() -> firstThatAnswers(request,
                target -> attempt(target, deadline, attempts, COMPLETION,
                        () -> target.provider().complete(request.withModel(target.model())))),
                COMPLETION);
        return within(deadline, answer)
                .invoke(completion -> call.answered(attempts.get(), completion.usage()))
                .onFailure().invoke(failure -> call.failed(attempts.get(), failure))
                .onCancellation().invoke(call::end)
                .map(completion -> completion.withAttempts(attempts.get().count()))
                .onFailure().transform(this::toLlmException);
    }

    /**
     * A reply as it is generated, from the requested model or a fallback. Fails with an {@link LlmException};
     * before its first chunk a failure means nothing was generated. The caller's deadline bounds the wait for the
     * first chunk, retries and fallbacks included; the chunks after it are not cut by it.
     */
    public Multi<LlmChunk> stream(LlmRequest request, Deadline deadline) {
        long started = System.nanoTime();
        return Multi.createFrom().deferred(() -> {
            AtomicReference<Attempts> attempts = new AtomicReference<>(Attempts.none(first(request)));
            LlmCallObserver call = observe(request, true, started);
            return HeldStream.holding(bulkhead, () -> firstToStart(request, deadline, attempts)
                    .map(chunks -> observed(chunks, call, attempts)))
                    // a failure after the first chunk was observed on the stream itself
                    .onFailure(failure -> call.beforeFirstChunk())
                    .invoke(failure -> call.failed(attempts.get(), failure))
                    .onTermination().invoke(call::end)
                    .onFailure().transform(this::toLlmException);
        });
    }

    /**
     * The stream of the first target to send a chunk before the caller's deadline; until then, a failure is retried
     * or moved on to the next target.
     */
    private Uni<Multi<LlmChunk>> firstToStart(LlmRequest request, Deadline deadline,
            AtomicReference<Attempts> attempts) {
        return within(deadline, firstThatAnswers(request, target -> attempt(target, deadline, attempts, STREAM,
                () -> FirstToken.open(target.provider().stream(request.withModel(target.model()))))));
    }

    /**
     * The provider's chunks, observed as they arrive (not as the caller reads them), the last one labelled with the
     * target that answered and the calls it took.
     */
    private static Multi<LlmChunk> observed(Multi<LlmChunk> chunks, LlmCallObserver call,
            AtomicReference<Attempts> attempts) {
        return chunks
                .invoke(chunk -> call.chunk(chunk, attempts.get()))
                .map(chunk -> chunk instanceof LlmChunk.Finished finished ? answeredBy(finished, attempts.get()) : chunk)
                .onFailure().invoke(failure -> call.failed(attempts.get(), failure));
    }

    private static LlmChunk answeredBy(LlmChunk.Finished finished, Attempts attempts) {
        return finished.answeredBy(attempts.provider(), attempts.count());
    }

    /** The target asked first: the requested model of the primary provider. */
    private Target first(LlmRequest request) {
        return new Target(backends.primary(), request.model().trim());
    }

    private LlmCallObserver observe(LlmRequest request, boolean streamed, long startedNanos) {
        return new LlmCallObserver(metrics, spans.start(backends.primary().name(), request.model(), streamed),
                startedNanos);
    }

    /**
     * One call of one target, within its retries and circuit breaker. Each try counts as an attempt, unless the
     * caller's deadline passed while it waited: then it calls nothing.
     */
    private <T> Uni<T> attempt(Target target, Deadline deadline, AtomicReference<Attempts> attempts,
            TypeLiteral<Uni<T>> type, Supplier<Uni<T>> call) {
        return guard(target).get(() -> {
            if (passed(deadline)) {
                return Uni.createFrom().failure(deadlineExceeded());
            }
            attempts.updateAndGet(made -> made.then(target));
            return call.get();
        }, type);
    }

    /**
     * Fails with deadline_exceeded, and cancels the call, when the caller's deadline passes first. A retry or
     * fallback scheduled before that finds the deadline passed and calls nothing.
     */
    private static <T> Uni<T> within(Deadline deadline, Uni<T> call) {
        return deadline.remaining()
                .map(left -> call.ifNoItem().after(left.isZero() ? Duration.ofMillis(1) : left)
                        .failWith(ResilientLlm::deadlineExceeded))
                .orElse(call);
    }

    private static boolean passed(Deadline deadline) {
        return deadline.remaining().map(Duration::isZero).orElse(false);
    }

    private static LlmException deadlineExceeded() {
        return new LlmException(ErrorCode.deadline_exceeded, "The caller's deadline passed before the LLM answered",
                null, false, null);
    }

    /** Circuit state of every provider:model called so far (closed, open, half-open). */
    public Map<String, CircuitBreakerState> circuitStates() {
        Map<String, CircuitBreakerState> states = new TreeMap<>();
        perTarget.keySet().forEach(key -> states.put(key, CircuitBreakerMaintenance.get().currentState(breakerName(key))));
        return states;
    }

    /**
     * Tries the conversation's model, then the fallback models of the same provider, then the second provider;
     * each target with its own retries and breaker.
     */
    private <T> Uni<T> firstThatAnswers(LlmRequest request, Function<Target, Uni<T>> attempt) {
        Map<String, Target> targets = new LinkedHashMap<>();
        add(targets, backends.primary(), request.model());
        config.fallbackModels().orElse(List.of()).forEach(model -> add(targets, backends.primary(), model));
        backends.secondary().ifPresent(
                secondary -> add(targets, secondary, backends.secondaryModel().orElse(request.model())));
        List<Target> ordered = new ArrayList<>(targets.values());
        Uni<T> result = attempt.apply(ordered.get(0));
        for (Target next : ordered.subList(1, ordered.size())) {
            result = result.onFailure(ResilientLlm::worthAnotherModel).recoverWithUni(() -> attempt.apply(next));
        }
        return result;
    }

    private static void add(Map<String, Target> targets, LlmProvider provider, String model) {
        String trimmed = model.trim();
        if (!trimmed.isEmpty()) {
            targets.putIfAbsent(provider.name() + ":" + trimmed, new Target(provider, trimmed));
        }
    }

    /** Another model can help when this one failed on its own side; a malformed request fails everywhere alike. */
    private static boolean worthAnotherModel(Throwable failure) {
        return failure instanceof CircuitBreakerOpenException
                || failure instanceof LlmException llm && (llm.retryable() || llm.code() == ErrorCode.llm_bad_response);
    }

    private Guard guard(Target target) {
        return perTarget.computeIfAbsent(target.key(), key -> newGuard(target));
    }

    private Guard newGuard(Target target) {
        LlmConfig.Retry retry = config.retry();
        LlmConfig.CircuitBreaker breaker = config.circuitBreaker();
        return Guard.create()
                .withDescription("llm " + target.key())
                .withRetry()
                .maxRetries(retry.maxRetries())
                .delay(retry.initialDelay().toMillis(), ChronoUnit.MILLIS)
                .jitter(retry.jitter().toMillis(), ChronoUnit.MILLIS)
                .maxDuration(retry.maxDelay().toMillis() * (retry.maxRetries() + 1L)
                        + retry.maxRetryAfter().toMillis() * retry.maxRetries() + 1, ChronoUnit.MILLIS)
                .whenException(new RetryableLlmFailure(retry.maxRetryAfter()))
                .withCustomBackoff().strategy(() -> new RetryAfterBackoff(retry.maxDelay())).done()
                .done()
                .withCircuitBreaker()
                .name(breakerName(target.key()))
                .requestVolumeThreshold(breaker.requestVolumeThreshold())
                .failureRatio(breaker.failureRatio())
                .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(breaker.successThreshold())
                .when(failure -> failure instanceof LlmException llm && llm.retryable())
                .done()
                .build();
    }

    private static String breakerName(String targetKey) {
        return "llm:" + targetKey;
    }

    private LlmException toLlmException(Throwable failure) {
        if (failure instanceof LlmException llm) {
            return llm;
        }
        if (failure instanceof BulkheadException) {
            return new LlmException(ErrorCode.llm_overloaded, "Too many LLM calls are in progress on this instance",
                    config.bulkhead().retryAfterSeconds(), false, null);
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return new LlmException(ErrorCode.llm_unavailable,
                    "The LLM provider is failing; calls are paused for a while (circuit open)",
                    (int) Math.max(1, config.circuitBreaker().delay().toSeconds()), false, null);
        }
        return UpstreamFailures.forThrowable(failure);
    }
}
