package io.microchatbot.testing;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A webhook receiver on a real socket of 127.0.0.1 (the one private host the test profile allows). Each test uses a
 * path of its own; what a path answers is scripted per path, and every request is recorded with its path.
 */
public final class WebhookReceiver {

    /** Answer for a path that should never answer at all (the sender's timeout). */
    public static final int HANG = -1;

    private final Vertx vertx = Vertx.vertx();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Integer> always = new ConcurrentHashMap<>();
    private HttpServer server;

    /** A request as the receiver saw it. */
    public record Received(String path, Map<String, String> headers, String body, long atNanos) {

        public String header(String name) {
            return headers.get(name);
        }
    }

    public WebhookReceiver start() {
        try {
            server = vertx.createHttpServer()
                    .requestHandler(this::handle)
                    .listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return this;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the webhook receiver", e);
        }
    }

    public void stop() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests to {@code path} get these statuses, one each, then {@link #answerAlways}'s (200 by default). */
    public void script(String path, Integer... statuses) {
        scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    public void answerAlways(String path, int status) {
        always.put(path, status);
    }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Forgets a path's script and requests. */
    public void forget(String path) {
        scripts.remove(path);
        always.remove(path);
        received.removeIf(r -> r.path().equals(path));
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
            received.add(new Received(request.path(), headers, body.toString(), System.nanoTime()));
            Queue<Integer> script = scripts.get(request.path());
            Integer scripted = script == null ? null : script.poll();
            int status = scripted != null ? scripted : always.getOrDefault(request.path(), 200);
            if (status != HANG) {
                request.response().setStatusCode(status).end("{\"received\":true}");
            }
        });
    }
}
