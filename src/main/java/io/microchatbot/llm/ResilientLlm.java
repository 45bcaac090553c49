package io.microchatbot.llm;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.microchatbot.config.ChatbotConfig;
import io.microchatbot.problem.ErrorCode;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The LLM as the rest of the service sees it: the provider behind SmallRye Fault Tolerance.
 * <ul>
 * <li>per model: retries with exponential backoff and jitter (honouring the provider's Retry-After) on retryable
 * failures only, inside a circuit breaker named {@code llm:<provider>:<model>};</li>
 * <li>then the fallback models, in order, each with its own retries and breaker;</li>
 * <li>around it all, a bulkhead bounding the calls of this pod (a stream keeps its place until it ends); overflow
 * is 503 {@code llm_overloaded}.</li>
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
    private static final TypeLiteral<Uni<Void>> LIFETIME = new TypeLiteral<>() {
    };

    private final LlmProvider provider;
    private final ChatbotConfig.Llm config;
    private final Guard bulkhead;
    private final Map<String, Guard> perModel = new ConcurrentHashMap<>();

    ResilientLlm(LlmProvider provider, ChatbotConfig config) {
        this.provider = provider;
        this.config = config.llm();
        this.bulkhead = Guard.create()
                .withDescription("llm-bulkhead")
                .withBulkhead().limit(this.config.bulkhead().maxConcurrent()).queueSize(this.config.bulkhead().queue())
                .done()
                .build();
    }

    public String providerName() {
        return provider.name();
    }

    /** A whole reply, from the requested model or a fallback; fails with an {@link LlmException}. */
    public Uni<LlmCompletion> complete(LlmRequest request) {
        AtomicInteger attempts = new AtomicInteger();
        return bulkhead.get(() -> firstThatAnswers(request, model -> guard(model).get(() -> {
            attempts.incrementAndGet();
            return provider.complete(request.withModel(model));
        }, COMPLETION)), COMPLETION)
                .map(completion -> completion.withAttempts(attempts.get()))
                .onFailure().transform(this::toLlmException);
    }

    /**
     * A reply as it is generated, from the requested model or a fallback. Fails with an {@link LlmException};
     * before its first chunk a failure means nothing was generated.
     */
    public Multi<LlmChunk> stream(LlmRequest request) {
        AtomicInteger attempts = new AtomicInteger();
        return Multi.createFrom().emitter(emitter -> {
            Supplier<Uni<Void>> lifetime = () -> firstThatAnswers(request, model -> guard(model).get(() -> {
                attempts.incrementAndGet();
                return FirstToken.open(provider.stream(request.withModel(model)));
            }, STREAM)).chain(stream -> Uni.createFrom().emitter(done -> {
                Cancellable relay = stream.subscribe().with(
                        chunk -> emitter.emit(chunk instanceof LlmChunk.Finished finished
                                ? finished.withAttempts(attempts.get())
                                : chunk),
                        failure -> {
                            emitter.fail(toLlmException(failure));
                            done.complete(null);
                        },
                        () -> {
                            emitter.complete();
                            done.complete(null);
                        });
                done.onTermination(relay::cancel);
            }));
            Cancellable running = bulkhead.get(lifetime, LIFETIME)
                    .subscribe().with(ignored -> {
                    }, failure -> emitter.fail(toLlmException(failure)));
            emitter.onTermination(running::cancel);
        });
    }

    /** State of the breaker of one model: closed, open or half-open. */
    public CircuitBreakerState circuitState(String model) {
        return CircuitBreakerMaintenance.get().currentState(breakerName(model));
    }

    /** The models with a breaker so far (the ones that were called). */
    public List<String> modelsCalled() {
        return List.copyOf(perModel.keySet());
    }

    private <T> Uni<T> firstThatAnswers(LlmRequest request, Function<String, Uni<T>> attempt) {
        List<String> models = new ArrayList<>();
        models.add(request.model());
        config.fallbackModels().orElse(List.of()).stream()
                .map(String::trim)
                .filter(model -> !model.isEmpty() && !models.contains(model))
                .forEach(models::add);
        Uni<T> result = attempt.apply(models.get(0));
        for (String fallback : models.subList(1, models.size())) {
            result = result.onFailure(ResilientLlm::worthAnotherModel).recoverWithUni(() -> attempt.apply(fallback));
        }
        return result;
    }

    /** Another model can help when this one failed on its own side; a malformed request fails everywhere alike. */
    private static boolean worthAnotherModel(Throwable failure) {
        return failure instanceof CircuitBreakerOpenException
                || failure instanceof LlmException llm && (llm.retryable() || llm.code() == ErrorCode.llm_bad_response);
    }

    private Guard guard(String model) {
        return perModel.computeIfAbsent(model, this::newGuard);
    }

    private Guard newGuard(String model) {
        ChatbotConfig.Retry retry = config.retry();
        ChatbotConfig.CircuitBreaker breaker = config.circuitBreaker();
        return Guard.create()
                .withDescription("llm " + provider.name() + "/" + model)
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
                .name(breakerName(model))
                .requestVolumeThreshold(breaker.requestVolumeThreshold())
                .failureRatio(breaker.failureRatio())
                .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(breaker.successThreshold())
                .when(failure -> failure instanceof LlmException llm && llm.retryable())
                .done()
                .build();
    }

    private String breakerName(String model) {
        return "llm:" + provider.name() + ":" + model;
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
