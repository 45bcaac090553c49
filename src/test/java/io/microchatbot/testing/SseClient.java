package io.microchatbot.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.microchatbot.llm.SseParser;
import io.vertx.core.json.JsonObject;

/**
 * Reads a turn's server-sent events one at a time as they arrive, over a plain JDK HTTP connection, so a test can
 * see a delta before the upstream has finished and can hang up mid-stream.
 */
public final class SseClient implements AutoCloseable {

    /** One event as it was on the wire. */
    public record Event(String id, String name, String data) {
        public JsonObject json() {
            return new JsonObject(data);
        }
    }

    private final HttpResponse<InputStream> response;
    private final BufferedReader reader;
    private final SseParser events = new SseParser();

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** POSTs {@code body} to {@code path} as {@code user}; {@code accept} may be null to send no Accept header. */
    public static SseClient post(int port, String path, String user, String accept, String body)
            throws IOException, InterruptedException {
        return post(port, path, user, accept, body, Map.of());
    }

    /** As {@link #post(int, String, String, String, String)}, with one extra request header. */
    public static SseClient postWithHeader(int port, String path, String user, String header, String value, String body)
            throws IOException, InterruptedException {
        return post(port, path, user, null, body, Map.of(header, value));
    }

    /** As {@link #post(int, String, String, String, String)}, with more request headers. */
    public static SseClient post(int port, String path, String user, String accept, String body,
            Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-User-ID", user)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        headers.forEach(request::header);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return new SseClient(client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** GETs {@code path} as {@code user} with these request headers (a follower of a turn: Last-Event-ID). */
    public static SseClient get(int port, String path, String user, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-User-ID", user)
                .header("Accept", "text/event-stream")
                .GET();
        headers.forEach(request::header);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return new SseClient(client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next event, or null at the end of the stream. */
    public Event next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            SseParser.Event event = events.line(line);
            if (event != null) {
                return asRead(event);
            }
        }
        SseParser.Event last = events.end();
        return last == null ? null : asRead(last);
    }

    private static Event asRead(SseParser.Event event) {
        return new Event(event.id(), event.name(), event.data());
    }

    /** Every remaining event, up to the end of the stream. */
    public List<Event> rest() throws IOException {
        List<Event> events = new ArrayList<>();
        Event event;
        while ((event = next()) != null) {
            events.add(event);
        }
        return events;
    }

    /** The remaining events up to the end of the stream, or up to the connection being cut by the server. */
    public List<Event> restUntilCut() {
        List<Event> events = new ArrayList<>();
        try {
            Event event;
            while ((event = next()) != null) {
                events.add(event);
            }
        } catch (IOException cut) {
            // the connection ended without the stream's last chunk
        }
        return events;
    }

    public String body() throws IOException {
        StringBuilder body = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            body.append(line).append('\n');
        }
        return body.toString();
    }

    /** Hangs up: the server sees the connection close. */
    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
