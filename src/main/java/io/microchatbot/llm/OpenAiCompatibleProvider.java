package io.microchatbot.llm;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Any OpenAI-compatible {@code POST {base}/chat/completions} endpoint (OpenAI, OpenRouter, Ollama, vLLM), over
 * the non-blocking Vert.x HTTP client. Applies its own timeouts: the whole call when not streaming; time to
 * first token and idle time between chunks when streaming. No retries here (the resilience layer owns them).
 */
public class OpenAiCompatibleProvider implements LlmProvider {

    private final Vertx vertx;
    private final ObjectMapper json;
    private final LlmConfig config;
    private final HttpClient client;
    private final String completionsUri;
    private final String name;
    private final Optional<String> apiKey;

    public OpenAiCompatibleProvider(Vertx vertx, ObjectMapper json, LlmConfig config, int maxConnections,
            String name, String baseUrl, Optional<String> apiKey) {
        this.vertx = vertx;
        this.json = json;
        this.config = config;
        this.completionsUri = stripTrailingSlash(baseUrl) + "/chat/completions";
        this.name = name;
        this.apiKey = apiKey;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(maxConnections)
                .setMaxWaitQueueSize(-1)
                .setDecompressionSupported(true));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Uni<LlmCompletion> complete(LlmRequest request) {
        Buffer body = encode(OpenAiWire.Request.of(request, false));
        Duration timeout = config.timeout();
        return Uni.createFrom().<LlmCompletion> emitter(emitter -> {
            AtomicBoolean answered = new AtomicBoolean();
            long timer = vertx.setTimer(timeout.toMillis(),
                    t -> emitter
                            .fail(LlmException.timeout("No reply from the LLM provider within " + timeout.toSeconds() + " s")));
            client.request(options("application/json"))
                    .compose(req -> {
                        // Only an unanswered call is cut: resetting an answered one would close a connection the
                        // pool could reuse, and every call would pay a new TCP handshake.
                        emitter.onTermination(() -> {
                            if (!answered.get()) {
                                req.reset();
                            }
                        });
                        return req.send(body);
                    })
                    .compose(resp -> resp.body().map(b -> toCompletion(resp, b, request.model())))
                    .onComplete(result -> {
                        answered.set(true);
                        vertx.cancelTimer(timer);
                        if (result.succeeded()) {
                            emitter.complete(result.result());
                        } else {
                            emitter.fail(UpstreamFailures.forThrowable(result.cause()));
                        }
                    });
        });
    }

    @Override
    public Multi<LlmChunk> stream(LlmRequest request) {
        Buffer body = encode(OpenAiWire.Request.of(request, true));
        return Multi.createFrom().emitter(emitter -> new SseStreamCall(vertx, json, emitter, config, request.model())
                .start(client.request(options("text/event-stream")), body));
    }

    private LlmCompletion toCompletion(HttpClientResponse response, Buffer body, String requestedModel) {
        if (response.statusCode() != 200) {
            throw UpstreamFailures.forStatus(response.statusCode(), response.getHeader("Retry-After"));
        }
        OpenAiWire.Response parsed;
        try {
            parsed = json.readValue(body.getBytes(), OpenAiWire.Response.class);
        } catch (IOException e) {
            throw LlmException.badResponse("The LLM provider sent a body that is not a chat completion");
        }
        if (parsed.error() != null) {
            throw LlmException.badResponse("The LLM provider reported an error");
        }
        if (parsed.choices() == null || parsed.choices().isEmpty() || parsed.choices().get(0).message() == null
                || parsed.choices().get(0).message().content() == null
                        && !parsed.choices().get(0).message().hasToolCalls()) {
            throw LlmException.badResponse("The LLM provider sent a completion without a message");
        }
        OpenAiWire.Choice choice = parsed.choices().get(0);
        OpenAiWire.Content message = choice.message();
        return new LlmCompletion(message.content() == null ? "" : message.content(),
                message.hasToolCalls()
                        ? message.toolCalls().stream().map(OpenAiWire.WireToolCall::toToolCall).toList()
                        : List.of(),
                parsed.model() == null ? requestedModel : parsed.model(),
                name,
                choice.finishReason(),
                parsed.usage() == null ? null : parsed.usage().toUsage(),
                1);
    }

    private RequestOptions options(String accept) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(completionsUri)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, accept);
        apiKey.ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        config.httpReferer().ifPresent(referer -> options.putHeader("HTTP-Referer", referer));
        config.appTitle().ifPresent(title -> options.putHeader("X-Title", title));
        return options;
    }

    private Buffer encode(OpenAiWire.Request request) {
        try {
            return Buffer.buffer(json.writeValueAsBytes(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode the LLM request", e);
        }
    }

    public void close() {
        client.close();
    }

    static String providerFromUrl(String baseUrl) {
        URI uri = URI.create(baseUrl);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.equals("openai.com") || host.endsWith(".openai.com")) {
            return "openai";
        }
        if (host.equals("openrouter.ai") || host.endsWith(".openrouter.ai")) {
            return "openrouter";
        }
        if (uri.getPort() == 11434 || host.contains("ollama")) {
            return "ollama";
        }
        if (host.contains("vllm")) {
            return "vllm";
        }
        return "openai-compatible";
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

}
