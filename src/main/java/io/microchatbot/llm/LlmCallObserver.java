package io.microchatbot.llm;

import java.util.concurrent.atomic.AtomicBoolean;

import io.opentelemetry.api.trace.Span;

/**
 * What one LLM call (retries and fallbacks included) leaves behind: its duration, outcome and tokens in
 * {@link LlmMetrics}, its time to first token when streamed, and its span ({@link LlmSpans}). The span ends with
 * the call's outcome, or without one when the caller leaves first.
 */
final class LlmCallObserver {

    private final LlmMetrics metrics;
    private final Span span;
    private final long startedNanos;
    private final AtomicBoolean firstChunkSeen = new AtomicBoolean();

    LlmCallObserver(LlmMetrics metrics, Span span, long startedNanos) {
        this.metrics = metrics;
        this.span = span;
        this.startedNanos = startedNanos;
    }

    /** A streamed chunk as it arrives from the provider: the first one is the time to first token. */
    void chunk(LlmChunk chunk, Attempts attempts) {
        if (firstChunkSeen.compareAndSet(false, true)) {
            metrics.firstToken(attempts.provider(), attempts.model(), startedNanos);
        }
        if (chunk instanceof LlmChunk.Finished finished) {
            answered(attempts, finished.usage());
        }
    }

    /** Whether no chunk has arrived yet: a failure now means nothing was generated. */
    boolean beforeFirstChunk() {
        return !firstChunkSeen.get();
    }

    void answered(Attempts attempts, LlmUsage usage) {
        String outcome = metrics.answered(attempts.provider(), attempts.model(), attempts.fallback(), attempts.count(),
                startedNanos, usage);
        LlmSpans.answered(span, attempts.provider(), attempts.model(), attempts.count(), outcome, usage);
    }

    void failed(Attempts attempts, Throwable failure) {
        String outcome = metrics.failed(attempts.provider(), attempts.model(), failure, startedNanos);
        LlmSpans.failed(span, attempts.count(), outcome, failure);
    }

    /** The caller left: the span ends without an outcome (a no-op when it already ended with one). */
    void end() {
        span.end();
    }
}
