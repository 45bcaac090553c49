package io.microchatbot.llm;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.microchatbot.observability.EventLog;
import io.microchatbot.problem.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * LLM calls as Prometheus sees them: {@code chatbot_llm_request_seconds{provider,model,outcome}} for each call
 * (retries and fallbacks included), {@code chatbot_llm_first_token_seconds} for streams and
 * {@code chatbot_llm_tokens_total{type}}. Buckets are fixed so that quantiles can be computed across pods.
 */
@ApplicationScoped
public class LlmMetrics {

    static final Duration[] BUCKETS = { Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120) };

    private final MeterRegistry registry;

    LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A call that answered: {@code success}, {@code retried} (after retries) or {@code fallback} (another target). */
    String answered(String provider, String model, boolean fallback, int attempts, long startedNanos, LlmUsage usage) {
        String outcome = fallback ? "fallback" : attempts > 1 ? "retried" : "success";
        duration(provider, model, outcome, startedNanos);
        EventLog.info("llm_call", "LLM call %s: provider=%s model=%s attempts=%d duration_ms=%d prompt_tokens=%s"
                + " completion_tokens=%s", outcome, provider, model, attempts, millisSince(startedNanos),
                usage == null ? "-" : usage.promptTokens(), usage == null ? "-" : usage.completionTokens());
        if (usage != null) {
            tokens(provider, model, "prompt", usage.promptTokens());
            tokens(provider, model, "completion", usage.completionTokens());
        }
        return outcome;
    }

    /** A call that failed in the end, by why. */
    String failed(String provider, String model, Throwable failure, long startedNanos) {
        String outcome = outcome(failure);
        duration(provider, model, outcome, startedNanos);
        EventLog.info("llm_call", "LLM call %s: provider=%s model=%s duration_ms=%d", outcome, provider, model,
                millisSince(startedNanos));
        return outcome;
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    void firstToken(String provider, String model, long startedNanos) {
        Timer.builder("chatbot.llm.first.token")
                .description("Time from the call to the first streamed token, retries and fallbacks included")
                .tag("provider", provider)
                .tag("model", model)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    static String outcome(Throwable failure) {
        if (failure instanceof CircuitBreakerOpenException) {
            return "circuit_open";
        }
        if (failure instanceof BulkheadException) {
            return "overloaded";
        }
        if (failure instanceof LlmException llm) {
            ErrorCode code = llm.code();
            return switch (code) {
                case llm_timeout, deadline_exceeded -> "timeout";
                case llm_rate_limited -> "rate_limited";
                case llm_overloaded -> "overloaded";
                default -> "error";
            };
        }
        return "error";
    }

    private void duration(String provider, String model, String outcome, long startedNanos) {
        Timer.builder("chatbot.llm.request")
                .description("LLM calls from start to answer (or end of stream), by how they ended")
                .tag("provider", provider)
                .tag("model", model)
                .tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    private void tokens(String provider, String model, String type, int count) {
        Counter.builder("chatbot.llm.tokens")
                .description("Tokens the provider reported, by prompt and completion")
                .tag("provider", provider)
                .tag("model", model)
                .tag("type", type)
                .register(registry)
                .increment(count);
    }
}
