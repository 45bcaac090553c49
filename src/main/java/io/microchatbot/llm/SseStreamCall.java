package io.microchatbot.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.parsetools.RecordParser;

/**
 * One streamed completion: decodes the provider's server-sent events into {@link LlmChunk}s as they arrive and
 * decides how the stream ended. Only {@code data: [DONE]} (or a finish_reason followed by a clean end) is a
 * success; a connection that closes early, an error event or a stall is a failure, never a silent completion.
 */
final class SseStreamCall {

    private final Vertx vertx;
    private final ObjectMapper json;
    private final MultiEmitter<? super LlmChunk> emitter;
    private final LlmConfig config;
    private final SseParser events = new SseParser();

    private HttpClientRequest request;
    private String model;
    private String finishReason;
    private LlmUsage usage;
    private boolean firstToken;
    private boolean ended;
    private long timer = -1;
    private long deadline = -1;

    SseStreamCall(Vertx vertx, ObjectMapper json, MultiEmitter<? super LlmChunk> emitter, LlmConfig config,
            String requestedModel) {
        this.vertx = vertx;
        this.json = json;
        this.emitter = emitter;
        this.config = config;
        this.model = requestedModel;
    }

    void start(Future<HttpClientRequest> opening, Buffer body) {
        emitter.onTermination(this::abort);
        deadline = vertx.setTimer(config.streamMaxDuration().toMillis(), id -> fail(LlmException.timeout(
                "The reply took longer than " + config.streamMaxDuration().toSeconds() + " s")));
        armTimer(config.firstTokenTimeout().toMillis(), "No first token from the LLM provider within "
                + config.firstTokenTimeout().toSeconds() + " s");
        opening.compose(req -> {
            request = req;
            if (ended) {
                req.reset();
            }
            return req.send(body);
        }).onSuccess(this::onResponse).onFailure(this::fail);
    }

    private void onResponse(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            String retryAfter = response.getHeader("Retry-After");
            response.body().onComplete(ignored -> fail(UpstreamFailures.forStatus(response.statusCode(), retryAfter)));
            return;
        }
        RecordParser lines = RecordParser.newDelimited("\n", response);
        lines.handler(this::onLine);
        lines.exceptionHandler(this::fail);
        lines.endHandler(ignored -> onEnd());
    }

    private void onLine(Buffer line) {
        if (ended) {
            return;
        }
        if (firstToken) {
            armTimer(config.idleTimeout().toMillis(), "The LLM provider's stream stalled for "
                    + config.idleTimeout().toSeconds() + " s");
        }
        dispatch(events.line(line.toString()));
    }

    /** One event: a completion chunk, or {@code [DONE]}; an event with no data carries nothing. */
    private void dispatch(SseParser.Event event) {
        if (event == null || event.data().isEmpty()) {
            return;
        }
        String data = event.data();
        if (data.equals("[DONE]")) {
            finish();
            return;
        }
        OpenAiWire.Response chunk;
        try {
            chunk = json.readValue(data, OpenAiWire.Response.class);
        } catch (IOException e) {
            fail(LlmException.badResponse("The LLM provider sent a stream event that is not a completion chunk"));
            return;
        }
        if (chunk.error() != null) {
            fail(LlmException.unavailable("The LLM provider reported an error mid-stream",
                    UpstreamFailures.DEFAULT_RETRY_AFTER_SECONDS));
            return;
        }
        if (chunk.model() != null) {
            model = chunk.model();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage().toUsage();
        }
        if (chunk.choices() != null && !chunk.choices().isEmpty()) {
            OpenAiWire.Choice choice = chunk.choices().get(0);
            if (choice.finishReason() != null) {
                finishReason = choice.finishReason();
            }
            if (choice.delta() != null && choice.delta().content() != null && !choice.delta().content().isEmpty()) {
                firstToken();
                emitter.emit(new LlmChunk.Delta(choice.delta().content()));
            }
            if (choice.delta() != null && choice.delta().hasToolCalls()) {
                firstToken();
                for (OpenAiWire.WireToolCall call : choice.delta().toolCalls()) {
                    emitter.emit(toolCallDelta(call));
                }
            }
        }
    }

    /** A tool call's fragment counts as a token: the model is answering. */
    private void firstToken() {
        if (!firstToken) {
            firstToken = true;
            armTimer(config.idleTimeout().toMillis(), "The LLM provider's stream stalled for "
                    + config.idleTimeout().toSeconds() + " s");
        }
    }

    private static LlmChunk.ToolCallDelta toolCallDelta(OpenAiWire.WireToolCall call) {
        OpenAiWire.WireCall function = call.function();
        return new LlmChunk.ToolCallDelta(call.index() == null ? 0 : call.index(), call.id(),
                function == null ? null : function.name(), function == null ? null : function.arguments());
    }

    private void onEnd() {
        if (ended) {
            return;
        }
        dispatch(events.end());
        if (ended) {
            return;
        }
        if (finishReason != null) {
            finish();
        } else {
            fail(LlmException.unavailable("The LLM provider's stream ended before the reply was complete",
                    UpstreamFailures.DEFAULT_RETRY_AFTER_SECONDS));
        }
    }

    private void finish() {
        if (ended) {
            return;
        }
        ended = true;
        cancelTimers();
        emitter.emit(new LlmChunk.Finished(model, finishReason == null ? "stop" : finishReason, usage, 1, null));
        emitter.complete();
    }

    private void fail(Throwable failure) {
        if (ended) {
            return;
        }
        ended = true;
        cancelTimers();
        if (request != null) {
            request.reset();
        }
        emitter.fail(UpstreamFailures.forThrowable(failure));
    }

    /** Downstream cancelled (caller left) or the stream terminated: stop paying for tokens nobody reads. */
    private void abort() {
        cancelTimers();
        if (!ended) {
            ended = true;
            if (request != null) {
                request.reset();
            }
        }
    }

    private void armTimer(long millis, String whyOnExpiry) {
        cancelTimer();
        timer = vertx.setTimer(millis, id -> fail(LlmException.timeout(whyOnExpiry)));
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void cancelTimers() {
        cancelTimer();
        if (deadline >= 0) {
            vertx.cancelTimer(deadline);
            deadline = -1;
        }
    }
}
