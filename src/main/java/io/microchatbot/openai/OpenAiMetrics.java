package io.microchatbot.openai;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code chatbot_openai_requests_total{stream,outcome}}, next to the LLM metrics: chat completions by how they ended.
 * Outcomes are bounded: {@code answered}, {@code refused} (a 4xx problem), {@code failed} (a 5xx problem, nothing
 * sent), {@code broken} (a stream that failed after its first chunk) and {@code disconnected} (the caller left
 * mid-stream).
 */
@ApplicationScoped
public class OpenAiMetrics {

    enum Outcome {
        answered,
        refused,
        failed,
        broken,
        disconnected
    }

    private final MeterRegistry registry;

    OpenAiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(boolean stream, Outcome outcome) {
        Counter.builder("chatbot.openai.requests")
                .description("Chat completions of the OpenAI-compatible API, by how they ended")
                .tag("stream", Boolean.toString(stream))
                .tag("outcome", outcome.name())
                .register(registry)
                .increment();
    }

    void problem(boolean stream, int status) {
        count(stream, status >= 500 ? Outcome.failed : Outcome.refused);
    }
}
