import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * An OpenAI-compatible upstream for the benchmarks: {@code POST /v1/chat/completions}, plain or streamed (SSE), with
 * a configurable latency before the first byte, number of chunks, delay between chunks and error rate.
 *
 * <p>Built to cost as little as possible per request, so that it is never the bottleneck: the request body is not
 * parsed (a byte search finds {@code "stream":true}), the answers are encoded once per configuration.
 *
 * <p>Run with Vert.x from the packaged service (no build step):
 * <pre>java -cp 'target/quarkus-app/lib/main/*' bench/sim/LlmSimulator.java --port 18090</pre>
 * Options: {@code --port}, {@code --latency-ms} (0), {@code --chunks} (8), {@code --chunk-delay-ms} (0),
 * {@code --error-rate} (0.0, answered with {@code --error-status}, 503), {@code --event-loops} (1).
 * The same settings can be changed while it runs: {@code POST /_sim/config} with a JSON object of the same names
 * ({@code latency_ms}, {@code chunks}, {@code chunk_delay_ms}, {@code error_rate}, {@code error_status}).
 * {@code GET /_sim/stats} answers how many completions it served and failed on purpose.
 */
public final class LlmSimulator extends AbstractVerticle {

    /** One immutable configuration with its answers already encoded. */
    record Settings(long latencyMs, int chunks, long chunkDelayMs, double errorRate, int errorStatus,
            Buffer completion, Buffer[] streamChunks, Buffer error) {

        static Settings of(long latencyMs, int chunks, long chunkDelayMs, double errorRate, int errorStatus) {
            StringBuilder text = new StringBuilder();
            Buffer[] stream = new Buffer[chunks + 2];
            for (int i = 0; i < chunks; i++) {
                String piece = (i == 0 ? "Token" : " token") + i;
                text.append(piece);
                String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"" + piece + "\"}"
                        : "{\"content\":\"" + piece + "\"}";
                stream[i] = sse("{\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion.chunk\",\"model\":\"sim-model\","
                        + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}");
            }
            String usage = "{\"prompt_tokens\":32,\"completion_tokens\":" + chunks + ",\"total_tokens\":"
                    + (32 + chunks) + "}";
            stream[chunks] = sse("{\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion.chunk\",\"model\":\"sim-model\","
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
            stream[chunks + 1] = Buffer.buffer(
                    "data: {\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion.chunk\",\"model\":\"sim-model\","
                            + "\"choices\":[],\"usage\":" + usage + "}\n\ndata: [DONE]\n\n");
            Buffer completion = Buffer.buffer("{\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion\","
                    + "\"model\":\"sim-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                    + "\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}");
            Buffer error = Buffer.buffer("{\"error\":{\"message\":\"simulated failure\",\"type\":\"server_error\"}}");
            return new Settings(latencyMs, chunks, chunkDelayMs, errorRate, errorStatus, completion, stream, error);
        }

        private static Buffer sse(String json) {
            return Buffer.buffer("data: " + json + "\n\n");
        }

        JsonObject toJson() {
            return new JsonObject().put("latency_ms", latencyMs).put("chunks", chunks).put("chunk_delay_ms", chunkDelayMs)
                    .put("error_rate", errorRate).put("error_status", errorStatus);
        }
    }

    private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.US_ASCII);
    private static volatile Settings settings;
    private static final AtomicLong served = new AtomicLong();
    private static final AtomicLong failed = new AtomicLong();
    private static int port;

    public static void main(String[] args) {
        long latency = 0, chunkDelay = 0;
        int chunks = 8, errorStatus = 503, eventLoops = 1;
        double errorRate = 0;
        port = 18090;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--latency-ms" -> latency = Long.parseLong(value);
                case "--chunks" -> chunks = Integer.parseInt(value);
                case "--chunk-delay-ms" -> chunkDelay = Long.parseLong(value);
                case "--error-rate" -> errorRate = Double.parseDouble(value);
                case "--error-status" -> errorStatus = Integer.parseInt(value);
                case "--event-loops" -> eventLoops = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        settings = Settings.of(latency, chunks, chunkDelay, errorRate, errorStatus);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        vertx.deployVerticle(LlmSimulator.class.getName(), new DeploymentOptions().setInstances(eventLoops))
                .onSuccess(id -> System.out.println("simulator listening on 127.0.0.1:" + port + " " + settings.toJson()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        // Listening on the same port from several verticles spreads connections over their event loops.
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(this::handle)
                .listen();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.endsWith("/chat/completions") && request.method().name().equals("POST")) {
            request.body().onSuccess(body -> complete(request.response(), contains(body, STREAM_TRUE)));
        } else if (path.equals("/_sim/config") && request.method().name().equals("POST")) {
            request.body().onSuccess(body -> configure(request.response(), body.toJsonObject()));
        } else if (path.equals("/_sim/stats")) {
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("served", served.get()).put("failed", failed.get()).put("settings", settings.toJson()).encode());
        } else if (path.endsWith("/models")) {
            request.response().putHeader("Content-Type", "application/json")
                    .end("{\"object\":\"list\",\"data\":[{\"id\":\"sim-model\",\"object\":\"model\"}]}");
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private void complete(HttpServerResponse response, boolean stream) {
        Settings s = settings;
        Runnable answer = () -> {
            if (s.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < s.errorRate()) {
                failed.incrementAndGet();
                response.setStatusCode(s.errorStatus()).putHeader("Content-Type", "application/json").end(s.error());
            } else if (stream) {
                served.incrementAndGet();
                response.setChunked(true).putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache");
                sendChunk(response, s, 0);
            } else {
                served.incrementAndGet();
                response.putHeader("Content-Type", "application/json").end(s.completion());
            }
        };
        if (s.latencyMs() == 0) {
            answer.run();
        } else {
            vertx.setTimer(s.latencyMs(), id -> answer.run());
        }
    }

    private void sendChunk(HttpServerResponse response, Settings s, int index) {
        if (response.closed()) {
            return;
        }
        Buffer[] chunks = s.streamChunks();
        if (index == s.chunks()) {
            response.write(chunks[index]);
            response.end(chunks[index + 1]);
            return;
        }
        response.write(chunks[index]);
        if (s.chunkDelayMs() == 0) {
            sendChunk(response, s, index + 1);
        } else {
            vertx.setTimer(s.chunkDelayMs(), id -> sendChunk(response, s, index + 1));
        }
    }

    private static void configure(HttpServerResponse response, JsonObject json) {
        Settings s = settings;
        settings = Settings.of(json.getLong("latency_ms", s.latencyMs()), json.getInteger("chunks", s.chunks()),
                json.getLong("chunk_delay_ms", s.chunkDelayMs()), json.getDouble("error_rate", s.errorRate()),
                json.getInteger("error_status", s.errorStatus()));
        response.putHeader("Content-Type", "application/json").end(settings.toJson().encode());
    }

    private static boolean contains(Buffer body, byte[] needle) {
        byte[] bytes = body.getBytes();
        outer:
        for (int i = 0; i <= bytes.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
