package io.microchatbot.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service as its own process: {@code target/quarkus-app/quarkus-run.jar} run by the JDK running the
 * tests, or the native executable when failsafe says so ({@code chatbot.it.native}). It runs the {@code prod}
 * profile on a free port, against the tests' database; its output goes to a file under {@code target/}.
 */
public final class PackagedApp implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private PackagedApp(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the application with these settings (as {@code -D} options) and waits until it is ready. */
    public static PackagedApp start(String name, Map<String, String> settings, Duration readyWithin)
            throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        boolean nativeImage = Boolean.getBoolean("chatbot.it.native");
        if (nativeImage) {
            command.add(System.getProperty("native.image.path"));
        } else {
            command.add(ProcessHandle.current().info().command().orElseThrow());
        }
        command.add("-Dquarkus.http.port=" + port);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!nativeImage) {
            command.add("-jar");
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        }
        Path log = Path.of("target", name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PackagedApp app = new PackagedApp(process, port, log);
        app.awaitReady(readyWithin);
        return app;
    }

    /** Test database settings, as the unit tests' profile has them (TEST_DB_NAME, default chatbot_test). */
    public static String database() {
        return System.getenv().getOrDefault("TEST_DB_NAME", "chatbot_test");
    }

    public static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/" + database();
    }

    public int port() {
        return port;
    }

    /** Sends SIGTERM, as Kubernetes does to stop a pod. */
    public void terminate() {
        process.destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or null when it has not exited within {@code within}. */
    public Integer awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** One request on a connection of its own, as a new caller would send it. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Opens a conversation for {@code user} (X-User-ID: the app runs with chatbot.auth.mode=none); its id. */
    public String conversation(String user) throws IOException, InterruptedException {
        HttpResponse<String> created = send(request("/api/v1/conversations")
                .header("X-User-ID", user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        if (created.statusCode() != 201) {
            throw new IllegalStateException("Opening a conversation answered " + created.statusCode() + ": "
                    + created.body());
        }
        return new io.vertx.core.json.JsonObject(created.body()).getString("id");
    }

    /** A streamed turn "go" in {@code conversation}, as {@code user}: the open event stream. */
    public SseClient stream(String user, String conversation) throws IOException, InterruptedException {
        SseClient sse = SseClient.post(port, "/api/v1/conversations/" + conversation + "/messages", user,
                "text/event-stream", "{\"content\":\"go\"}");
        if (sse.status() != 200) {
            throw new IllegalStateException("The streamed turn answered " + sse.status() + ": " + sse.body());
        }
        return sse;
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void awaitReady(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The application exited with " + process.exitValue() + ":\n"
                        + output());
            }
            try {
                if (send(request("/q/health/ready").GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // not started yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("The application was not ready within " + within + ":\n" + output());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
