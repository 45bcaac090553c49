package io.microchatbot.testing;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An OpenAI-compatible provider on a real socket ({@code POST /v1/chat/completions}, plain and streamed), whose
 * behaviour each test scripts with {@link UpstreamBehavior}: text, tool calls (streamed as OpenAI fragments them),
 * failures. It records every request it receives.
 */
public final class FakeLlmServer {

    public static final String MODEL = "fake-model-1";

    private final Vertx vertx = Vertx.vertx();
    private final AtomicReference<UpstreamBehavior> behavior = new AtomicReference<>(defaultBehavior());
    private final Queue<UpstreamBehavior> script = new ConcurrentLinkedQueue<>();
    private final Map<String, UpstreamBehavior> perModel = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int cachedTokens;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger answering = new AtomicInteger();
    private final AtomicInteger mostAnswering = new AtomicInteger();
    private HttpServer server;

    /** A request as the provider saw it. */
    public record Received(String path, String authorization, JsonObject body, Map<String, String> headers,
            long atNanos) {

        public String model() {
            return body.getString("model");
        }
    }

    public static UpstreamBehavior defaultBehavior() {
        return UpstreamBehavior.reply("Hello", " from", " the", " fake", " model.");
    }

    public int start() throws Exception {
        server = vertx.createHttpServer()
                .connectionHandler(connection -> connections.incrementAndGet())
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    public void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public void behave(UpstreamBehavior next) {
        behavior.set(next);
    }

    /** The next requests, one behaviour each, before falling back to per-model and default behaviour. */
    public void script(UpstreamBehavior... next) {
        script.addAll(List.of(next));
    }

    /** What requests for one model get (when no script is pending). */
    public void behaveFor(String model, UpstreamBehavior next) {
        perModel.put(model, next);
    }

    public List<Received> receivedFor(String model) {
        return received.stream().filter(r -> model.equals(r.model())).toList();
    }

    /** Back to the default reply, with no request recorded and every circuit breaker of the service closed. */
    public void reset() {
        cachedTokens = 0;
        behavior.set(defaultBehavior());
        script.clear();
        perModel.clear();
        received.clear();
        mostAnswering.set(answering.get());
        CircuitBreakerMaintenance.get().resetAll();
    }

    /** From now until the next {@link #reset()}, usage reports this many of the prompt tokens as cached. */
    public void reportCachedTokens(int count) {
        cachedTokens = count;
    }

    /** The most requests this provider was answering at once since the last {@link #reset()}. */
    public int mostConcurrentRequests() {
        return mostAnswering.get();
    }

    /** The requests this provider is answering now: an answer ends, or its connection closes (the call cancelled). */
    public int answeringNow() {
        return answering.get();
    }

    /** TCP connections the service has opened to this provider since it started. */
    public int connectionsOpened() {
        return connections.get();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received lastRequest() {
        return received.isEmpty() ? null : received.get(received.size() - 1);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            JsonObject json;
            try {
                json = body.toJsonObject();
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
            received.add(new Received(request.path(), request.getHeader("Authorization"), json, headers,
                    System.nanoTime()));
            countWhileAnswering(request.response());
            UpstreamBehavior scripted = script.poll();
            UpstreamBehavior b = scripted != null ? scripted
                    : perModel.getOrDefault(json.getString("model", ""), behavior.get());
            Runnable answer = () -> answer(request.response(), json, b);
            if (b.latency().isZero()) {
                answer.run();
            } else {
                vertx.setTimer(b.latency().toMillis(), id -> answer.run());
            }
        });
    }

    /** Counts the request as being answered until its response ends or its connection closes. */
    private void countWhileAnswering(HttpServerResponse response) {
        int now = answering.incrementAndGet();
        mostAnswering.accumulateAndGet(now, Math::max);
        AtomicBoolean done = new AtomicBoolean();
        Runnable ended = () -> {
            if (done.compareAndSet(false, true)) {
                answering.decrementAndGet();
            }
        };
        response.endHandler(ignored -> ended.run());
        response.closeHandler(ignored -> ended.run());
    }

    private void answer(HttpServerResponse response, JsonObject request, UpstreamBehavior b) {
        if (b.retryAfter() != null) {
            response.putHeader("Retry-After", b.retryAfter());
        }
        if (b.status() != 200 || b.rawBody() != null) {
            response.setStatusCode(b.status()).putHeader("Content-Type", "application/json").end(b.rawBody());
            return;
        }
        if (request.getBoolean("stream", false)) {
            boolean usage = b.usage() && request.getJsonObject("stream_options", new JsonObject())
                    .getBoolean("include_usage", false);
            String model = request.getString("model", MODEL);
            response.setChunked(true).putHeader("Content-Type", "text/event-stream");
            response.write(": connected\n\n");
            sendChunk(new Streamed(response, b, b.pieces(), b.breakIndex(), usage, model), 0);
        } else {
            response.putHeader("Content-Type", "application/json")
                    .end(completion(b, request.getString("model", MODEL)).encode());
        }
    }

    /** One streamed answer in progress: what it sends and how it ends. */
    private record Streamed(HttpServerResponse response, UpstreamBehavior behavior, List<UpstreamBehavior.Piece> pieces,
            int breakIndex, boolean usage, String model) {
    }

    private void sendChunk(Streamed s, int index) {
        HttpServerResponse response = s.response();
        UpstreamBehavior b = s.behavior();
        if (response.closed()) {
            return;
        }
        if (index == s.breakIndex()) {
            response.reset(); // the connection dies: no [DONE], no finish_reason
            return;
        }
        if (index == b.stallAfterChunks()) {
            return; // keep the connection open and send nothing more
        }
        if (index == b.gateAfterChunks() && b.gate() != null && !b.gate().isDone()) {
            var context = vertx.getOrCreateContext();
            b.gate().thenRun(() -> context.runOnContext(v -> sendChunk(s, index)));
            return;
        }
        if (index == s.pieces().size()) {
            JsonObject last = chunk(null, s.model()).put("choices", new JsonArray().add(new JsonObject()
                    .put("index", 0).put("delta", new JsonObject()).put("finish_reason", b.finishReason())));
            response.write("data: " + last.encode() + "\n\n");
            if (s.usage()) {
                response.write("data: " + chunk(null, s.model()).put("choices", new JsonArray()).put("usage", usage(b))
                        .encode() + "\n\n");
            }
            response.end("data: [DONE]\n\n");
            return;
        }
        JsonObject delta = delta(s.pieces().get(index));
        if (index == 0) {
            delta.put("role", "assistant");
        }
        response.write("data: " + chunk(delta, s.model()).encode() + "\n\n");
        if (b.chunkDelay().isZero()) {
            sendChunk(s, index + 1);
        } else {
            vertx.setTimer(b.chunkDelay().toMillis(), id -> sendChunk(s, index + 1));
        }
    }

    /** A piece as OpenAI streams it: text, or a tool-call fragment told apart from the others by its index only. */
    private static JsonObject delta(UpstreamBehavior.Piece piece) {
        return switch (piece) {
            case UpstreamBehavior.Piece.Text text -> new JsonObject().put("content", text.content());
            case UpstreamBehavior.Piece.CallOpened opened -> toolCallDelta(new JsonObject().put("index", opened.index())
                    .put("id", opened.call().id()).put("type", "function")
                    .put("function", new JsonObject().put("name", opened.call().name()).put("arguments", "")));
            case UpstreamBehavior.Piece.Arguments arguments -> toolCallDelta(new JsonObject()
                    .put("index", arguments.index())
                    .put("function", new JsonObject().put("arguments", arguments.fragment())));
        };
    }

    private static JsonObject toolCallDelta(JsonObject call) {
        return new JsonObject().putNull("content").put("tool_calls", new JsonArray().add(call));
    }

    private static JsonObject chunk(JsonObject delta, String model) {
        JsonObject chunk = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("model", model);
        if (delta != null) {
            chunk.put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
                    .putNull("finish_reason")));
        }
        return chunk;
    }

    private JsonObject completion(UpstreamBehavior b, String model) {
        JsonObject message = new JsonObject().put("role", "assistant").put("content", b.content());
        if (!b.toolCalls().calls().isEmpty()) {
            JsonArray calls = new JsonArray();
            b.toolCalls().calls().forEach(call -> calls.add(new JsonObject().put("id", call.id()).put("type", "function")
                    .put("function", new JsonObject().put("name", call.name()).put("arguments", call.arguments()))));
            message.put("tool_calls", calls);
        }
        JsonObject completion = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion")
                .put("model", model)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("message", message)
                        .put("finish_reason", b.finishReason())));
        if (b.usage()) {
            completion.put("usage", usage(b));
        }
        return completion;
    }

    /**
     * Deterministic usage the tests can assert: 11 prompt tokens, {@link UpstreamBehavior#completionTokens()}
     * completion tokens (one per streamed chunk: per text chunk when the reply is only text).
     */
    private JsonObject usage(UpstreamBehavior b) {
        JsonObject usage = new JsonObject().put("prompt_tokens", 11).put("completion_tokens", b.completionTokens())
                .put("total_tokens", 11 + b.completionTokens());
        if (cachedTokens > 0) {
            usage.put("prompt_tokens_details", new JsonObject().put("cached_tokens", cachedTokens));
        }
        return usage;
    }
}
