package io.microchatbot.llm;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * One span per LLM call (retries and fallbacks included), a child of the request's span, with the OpenTelemetry
 * GenAI attributes: system, requested and answering model, tokens, attempts, outcome. Content is never recorded.
 */
@ApplicationScoped
public class LlmSpans {

    private final Tracer tracer;

    LlmSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    Span start(String provider, String model, boolean streamed) {
        return tracer.spanBuilder("chat " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.system", provider)
                .setAttribute("gen_ai.request.model", model)
                .setAttribute("chatbot.llm.streamed", streamed)
                .startSpan();
    }

    static void answered(Span span, String provider, String model, int attempts, String outcome, LlmUsage usage) {
        span.setAttribute("gen_ai.response.model", model);
        span.setAttribute("chatbot.llm.provider", provider);
        span.setAttribute("chatbot.llm.attempts", attempts);
        span.setAttribute("chatbot.llm.outcome", outcome);
        if (usage != null) {
            span.setAttribute("gen_ai.usage.input_tokens", usage.promptTokens());
            span.setAttribute("gen_ai.usage.output_tokens", usage.completionTokens());
        }
        span.end();
    }

    static void failed(Span span, int attempts, String outcome, Throwable failure) {
        span.setAttribute("chatbot.llm.attempts", attempts);
        span.setAttribute("chatbot.llm.outcome", outcome);
        span.setStatus(StatusCode.ERROR, outcome);
        span.recordException(failure);
        span.end();
    }
}
