import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.microchatbot.grpc.v1.ChatServiceGrpc;
import io.microchatbot.grpc.v1.Conversation;
import io.microchatbot.grpc.v1.CreateConversationRequest;
import io.microchatbot.grpc.v1.ListConversationsRequest;
import io.microchatbot.grpc.v1.ListConversationsResponse;
import io.microchatbot.grpc.v1.Problem;
import io.microchatbot.grpc.v1.SendMessageRequest;
import io.microchatbot.grpc.v1.SendMessageResponse;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;

/**
 * A load client for the benchmarks: streaming time to first token, many concurrent streams, and an open-loop
 * constant arrival rate, against the service or any OpenAI-compatible endpoint (the simulator, a gateway).
 *
 * <p>Run with Vert.x, grpc-java and HdrHistogram from the packaged service, and the service's generated gRPC
 * classes from its jar (no build step, JDK 21+):
 * <pre>java -cp 'target/quarkus-app/lib/main/*:target/quarkus-app/app/*' bench/load/LoadClient.java &lt;mode&gt; [options]</pre>
 *
 * <p>Modes:
 * <ul>
 * <li>{@code ttft}: closed loop of streamed requests, {@code --concurrency} (1) at a time, {@code --warmup} (0)
 * untimed then {@code --requests} (100) timed. Per request: time to the response headers ({@code ttfb_*}), to the
 * first token ({@code ttft_*}: the service's first {@code message.delta} event; for OpenAI the first {@code data:}
 * chunk with a non-empty {@code choices[0].delta.content}) and to the end of the stream ({@code total_*}).</li>
 * <li>{@code streams}: {@code --count} (100) streamed turns started at once, one conversation each; each must end
 * with {@code message.completed} (service) or {@code data: [DONE]} (OpenAI). Reports {@code wall_ms} from the first
 * start to the last end too.</li>
 * <li>{@code rate}: open loop, {@code --rps} requests per second for {@code --duration} seconds, started by a 1 ms
 * periodic timer whether or not earlier ones answered, JSON turns unless {@code --stream true}, round-robin over the
 * conversations. First {@code --warmup-duration} (2) seconds at the same rate are not counted: a cold client stalls
 * a few hundred ms while its first connections open and its code compiles, which would be the p99 of a short run.
 * Latencies run from each request's scheduled start, so queueing in the client counts; {@code late_*} is how late
 * the scheduler started them. Reports {@code offered}, {@code ok}, {@code success_pct}, {@code achieved_rps} (ok
 * answers per second from the first start to the last answer) and {@code busy_picks} (requests sent to a
 * conversation whose previous turn had not answered yet: when not 0, more conversations are needed, or these are
 * what the 409s are).</li>
 * <li>{@code setup}: only create {@code --conversations} conversations and write "user TAB id" lines to
 * {@code --out} (the file format of bench/wrk/*.lua), for other tools.</li>
 * <li>{@code grpc-turns}: the service's gRPC API ({@code microchatbot.v1.ChatService} on the HTTP port, h2c), a
 * closed loop of unary {@code SendMessage} calls, {@code --concurrency} (64) in flight, round-robin over the
 * conversations (skipping one whose turn is still running), for {@code --warmup-duration} (2) untimed then
 * {@code --duration} seconds. Counted as wrk counts: the calls that end within the measured window
 * ({@code rps} = ok calls / duration, latency {@code p*_ms}); the calls still in flight at its end are drained, not
 * counted. Errors by gRPC status: {@code grpc_<CODE>[_<ErrorInfo reason>]}. CPU in the window: this client's
 * ({@code client_cpu_cores}) and, with {@code --server-pid}, the service's ({@code server_cpu_cores},
 * {@code server_cpu_ms_per_turn}, from {@code /proc/<pid>/stat}).</li>
 * <li>{@code grpc-ttft}: as {@code ttft}, over {@code SendMessageStream}: time to the response headers
 * ({@code headers_*}), to the first {@code MessageCreated} ({@code created_*}: the stored user message, SSE's
 * {@code message.created}), to the first {@code MessageDelta} ({@code ttft_*}) and to the end ({@code total_*}). A
 * stream must end OK after {@code MessageCompleted}; {@code event_incomplete_<code>} / {@code event_failed_<code>}
 * otherwise.</li>
 * <li>{@code grpc-probe}: one {@code ListConversations} call; prints {@code grpc=ok}, or {@code grpc=<CODE>} when
 * the build serves no gRPC (a build from before it: UNIMPLEMENTED, or UNAVAILABLE without HTTP/2).</li>
 * </ul>
 * <p>The gRPC modes use one grpc-java client: {@code --channels} (1) {@code ManagedChannel}s (NettyChannelBuilder,
 * plaintext, each one HTTP/2 connection, calls round-robin over them) on one Netty event loop, direct executor,
 * caller in {@code x-user-id} metadata, {@code --timeout} as the call's deadline. Without
 * {@code --conversations-file} their conversations are created over gRPC ({@code CreateConversation}).
 *
 * <p>Targets ({@code --target}): {@code service} ({@code --url}, default http://127.0.0.1:18080; conversations are
 * created first, 64 at a time, untimed, over {@code --users} users {@code bench-user-0..K-1}, by default one per 16
 * conversations, or read from {@code --conversations-file}) and {@code openai} ({@code --url}, default
 * http://127.0.0.1:18090/v1; {@code POST <url>/chat/completions} with model {@code --model}, sim-model).
 * {@code --header 'Name: value'} (repeatable) is added to every request.
 *
 * <p>Times: {@code ttfb/ttft/total} run from the moment the request is written (the connection taken from the pool),
 * except in mode rate where they run from the scheduled start; {@code connect_*} is the wait for a pooled or new
 * connection before writing; {@code send_spread_ms} runs from the first request started to the last one written
 * (in mode streams: how long "all at once" took), {@code wall_ms} from the first start to the last end.
 * Histograms keep microseconds; figures are printed in milliseconds. {@code chunks_per_stream}: the service's
 * {@code message.delta} events, or OpenAI {@code data:} chunks before {@code [DONE]}, per successful stream.
 *
 * <p>Output: progress and error details on stderr, then ONE line on stdout of {@code key=value} pairs. Errors are
 * counted by kind: {@code status_<code>[_<problem code>]}, {@code connect_*} / {@code send_*} / {@code body_*}
 * (connection failures, by phase), {@code timeout_<phase>} ({@code --timeout} seconds per request, 60),
 * {@code no_completion} / {@code no_done} (the stream ended without its completion event),
 * {@code event_error_<code>} / {@code event_incomplete_<code>} (the service's failure events).
 * Exit code: 0 whatever the requests did, 2 on a usage error, 3 when the conversations could not be created.
 *
 * <p>Cost: one event loop, no JSON parsing of the stream after the first token, one timer per request. It drives
 * thousands of concurrent streams with a fraction of one core. The file descriptor limit ({@code ulimit -n}) must
 * exceed the connection pool ({@code --connections}, by default as many as can be used at once).
 */
public final class LoadClient {

    static {
        // Before any other static field: Vert.x and Netty log through java.util.logging (to stderr), not through
        // the service's SLF4J binding, which cannot start outside Quarkus and says so on every run.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
                io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    }

    static final String USAGE = """
            usage: java -cp 'target/quarkus-app/lib/main/*:target/quarkus-app/app/*' bench/load/LoadClient.java <mode> [options]
              modes: ttft streams rate setup grpc-turns grpc-ttft grpc-probe
              --target service|openai   (service)
              --url URL                 (service: http://127.0.0.1:18080, openai: http://127.0.0.1:18090/v1)
              --header 'Name: value'    extra request header, repeatable
              --timeout S               per request, seconds (60)
              --connections N           HTTP/1.1 connection pool size (default: the most requests in flight)
              --channels K              gRPC modes: HTTP/2 connections (ManagedChannels), calls round-robin (1)
              --content TEXT            the user message (hello)
              --model NAME              openai target: the model (sim-model)
              service target:
              --conversations N         conversations used (ttft: max(64, 2*concurrency), streams: count, rate: rps*4)
              --users K                 users they are spread over (ceil(conversations / 16))
              --user-prefix P           (bench-user)
              --conversations-file F    reuse "user<TAB>id" lines instead of creating conversations
              ttft:    --requests N (100) --warmup W (0) --concurrency C (1)
              streams: --count N (100)
              rate:    --rps R --duration S [--stream true|false (false)] [--warmup-duration S (2)]
              setup:   --conversations N --out FILE
              grpc-turns: --duration S [--concurrency C (64)] [--warmup-duration S (2)] [--channels K (1)]
                          [--server-pid P: the service's CPU per turn in the window, from /proc/P/stat]
              grpc-ttft:  --requests N (100) --warmup W (0) --concurrency C (1) [--channels K (1)]
              grpc-probe: (one ListConversations call: grpc=ok, or grpc=<status code>)
            """;

    static final ObjectMapper JSON = new ObjectMapper();

    // ---- options ---------------------------------------------------------------------------------------------

    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static final class Options {
        String mode;
        String target = "service";
        String url;
        final List<String[]> headers = new ArrayList<>();
        double timeoutS = 60;
        int connections = -1;
        String content = "hello";
        String model = "sim-model";
        int conversations = -1;
        boolean conversationsGiven;
        int users = -1;
        String userPrefix = "bench-user";
        String conversationsFile;
        String out;
        int requests = 100;
        int warmup = 0;
        double warmupS = -1;
        int concurrency = 1;
        boolean concurrencyGiven;
        int channels = 1;
        long serverPid = -1;
        int count = 100;
        double rps = -1;
        double durationS = -1;
        Boolean stream;

        boolean service() {
            return target.equals("service");
        }

        static Options parse(String[] args) throws UsageException {
            if (args.length == 0) {
                throw new UsageException("no mode");
            }
            Options o = new Options();
            o.mode = args[0];
            if (o.mode.equals("-h") || o.mode.equals("--help") || o.mode.equals("help")) {
                return null;
            }
            if (!List.of("ttft", "streams", "rate", "setup", "grpc-turns", "grpc-ttft", "grpc-probe").contains(o.mode)) {
                throw new UsageException("unknown mode " + o.mode);
            }
            for (int i = 1; i < args.length; i += 2) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                String v = args[i + 1];
                try {
                    switch (name) {
                        case "--target" -> o.target = v;
                        case "--url" -> o.url = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
                        case "--header" -> {
                            int colon = v.indexOf(':');
                            if (colon <= 0) {
                                throw new UsageException("--header wants 'Name: value', got " + v);
                            }
                            o.headers.add(new String[] {v.substring(0, colon).trim(), v.substring(colon + 1).trim()});
                        }
                        case "--timeout" -> o.timeoutS = positive(name, Double.parseDouble(v));
                        case "--connections" -> o.connections = (int) positive(name, Integer.parseInt(v));
                        case "--content" -> o.content = v;
                        case "--model" -> o.model = v;
                        case "--conversations" -> {
                            o.conversations = (int) positive(name, Integer.parseInt(v));
                            o.conversationsGiven = true;
                        }
                        case "--users" -> o.users = (int) positive(name, Integer.parseInt(v));
                        case "--user-prefix" -> o.userPrefix = v;
                        case "--conversations-file" -> o.conversationsFile = v;
                        case "--out" -> o.out = v;
                        case "--requests" -> o.requests = (int) positive(name, Integer.parseInt(v));
                        case "--warmup" -> {
                            o.warmup = Integer.parseInt(v);
                            if (o.warmup < 0) {
                                throw new UsageException("--warmup must be >= 0");
                            }
                        }
                        case "--warmup-duration" -> {
                            o.warmupS = Double.parseDouble(v);
                            if (!(o.warmupS >= 0)) {
                                throw new UsageException("--warmup-duration must be >= 0");
                            }
                        }
                        case "--concurrency" -> {
                            o.concurrency = (int) positive(name, Integer.parseInt(v));
                            o.concurrencyGiven = true;
                        }
                        case "--channels" -> o.channels = (int) positive(name, Integer.parseInt(v));
                        case "--server-pid" -> o.serverPid = (long) positive(name, Long.parseLong(v));
                        case "--count" -> o.count = (int) positive(name, Integer.parseInt(v));
                        case "--rps" -> o.rps = positive(name, Double.parseDouble(v));
                        case "--duration" -> o.durationS = positive(name, Double.parseDouble(v));
                        case "--stream" -> {
                            if (!v.equals("true") && !v.equals("false")) {
                                throw new UsageException("--stream wants true or false");
                            }
                            o.stream = Boolean.parseBoolean(v);
                        }
                        default -> throw new UsageException("unknown option " + name);
                    }
                } catch (NumberFormatException e) {
                    throw new UsageException(name + ": not a number: " + v);
                }
            }
            if (!o.target.equals("service") && !o.target.equals("openai")) {
                throw new UsageException("--target must be service or openai");
            }
            if (o.url == null) {
                o.url = o.service() ? "http://127.0.0.1:18080" : "http://127.0.0.1:18090/v1";
            }
            URI uri;
            try {
                uri = URI.create(o.url);
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad --url " + o.url);
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--url must be http://host[:port][/path]");
            }
            if (o.mode.startsWith("grpc-") && !o.service()) {
                throw new UsageException(o.mode + " is for --target service");
            }
            switch (o.mode) {
                case "grpc-probe" -> {
                    if (o.conversations < 0) {
                        o.conversations = 1;
                    }
                }
                case "grpc-turns" -> {
                    if (o.durationS <= 0) {
                        throw new UsageException("grpc-turns needs --duration");
                    }
                    if (o.warmup != 0) {
                        throw new UsageException("grpc-turns: the warm-up is --warmup-duration S");
                    }
                    if (o.warmupS < 0) {
                        o.warmupS = 2;
                    }
                    if (!o.concurrencyGiven) {
                        o.concurrency = 64;
                    }
                    if (o.conversations < 0) {
                        o.conversations = Math.max(256, 4 * o.concurrency);
                    }
                    if (o.conversations < o.concurrency) {
                        throw new UsageException("--conversations must be >= --concurrency (one turn at a time each)");
                    }
                }
                case "grpc-ttft" -> {
                    if (o.conversations < 0) {
                        o.conversations = Math.max(64, 2 * o.concurrency);
                    }
                    if (o.conversations < o.concurrency) {
                        throw new UsageException("--conversations must be >= --concurrency (one turn at a time each)");
                    }
                }
                case "setup" -> {
                    if (!o.service()) {
                        throw new UsageException("setup is for --target service");
                    }
                    if (o.conversations < 0 || o.out == null) {
                        throw new UsageException("setup needs --conversations and --out");
                    }
                }
                case "ttft" -> {
                    if (o.stream != null && !o.stream) {
                        throw new UsageException("ttft always streams");
                    }
                    o.stream = true;
                    if (o.conversations < 0) {
                        o.conversations = Math.max(64, 2 * o.concurrency);
                    }
                    if (o.service() && o.conversations < o.concurrency) {
                        throw new UsageException("--conversations must be >= --concurrency (one turn at a time each)");
                    }
                }
                case "streams" -> {
                    if (o.stream != null && !o.stream) {
                        throw new UsageException("streams always streams");
                    }
                    o.stream = true;
                    if (o.conversations >= 0 && o.conversations != o.count) {
                        throw new UsageException("streams uses --count conversations, one each");
                    }
                    o.conversations = o.count;
                }
                case "rate" -> {
                    if (o.rps <= 0 || o.durationS <= 0) {
                        throw new UsageException("rate needs --rps and --duration");
                    }
                    if (o.stream == null) {
                        o.stream = false;
                    }
                    if (o.warmup != 0) {
                        throw new UsageException("rate: the warm-up is --warmup-duration S (seconds at the same rate)");
                    }
                    if (o.warmupS < 0) {
                        o.warmupS = 2;
                    }
                    if (o.conversations < 0) {
                        o.conversations = (int) Math.ceil(o.rps * 4);
                    }
                }
                default -> throw new IllegalStateException();
            }
            if (o.users < 0) {
                o.users = Math.max(1, (o.conversations + 15) / 16);
            }
            if (o.connections < 0) {
                o.connections = switch (o.mode) {
                    case "ttft" -> o.concurrency;
                    case "streams" -> o.count;
                    case "rate" -> o.service() ? o.conversations : (int) Math.ceil(o.rps * 4);
                    default -> 64;
                };
            }
            if (o.service()) {
                o.connections = Math.max(o.connections, 64); // the conversations are created 64 at a time
            }
            return o;
        }

        private static double positive(String name, double value) throws UsageException {
            if (!(value > 0)) {
                throw new UsageException(name + " must be > 0");
            }
            return value;
        }
    }

    // ---- state -----------------------------------------------------------------------------------------------

    /** A conversation (service target), or the one stand-in for the OpenAI target. */
    static final class Conv {
        final String user;
        final CharSequence userHeader;
        final String id;
        final String path;
        int inFlight;

        Conv(String user, String id, String path) {
            this.user = user;
            this.userHeader = user == null ? null : HttpHeaders.createOptimized(user);
            this.id = id;
            this.path = path;
        }
    }

    /** One request. Every field is touched on the single event loop only. */
    static final class Call {
        final Conv conv;
        final boolean stream;
        final boolean timed;
        long scheduledNs;
        long initNs;
        long sendNs;
        long headersNs;
        long firstTokenNs;
        long endNs;
        long timerId = -1;
        HttpClientRequest request;
        boolean finished;
        // server-sent events: the line being read, the current event, the outcome seen in the stream
        byte[] line = new byte[128];
        int lineLength;
        int event;
        boolean terminal;
        String terminalError;
        String terminalDetail;
        int deltas;

        Call(Conv conv, boolean stream, boolean timed) {
            this.conv = conv;
            this.stream = stream;
            this.timed = timed;
        }
    }

    static final int EV_OTHER = 0, EV_DELTA = 1, EV_COMPLETED = 2, EV_INCOMPLETE = 3, EV_ERROR = 4;
    static final byte[] EVENT = bytes("event:"), DATA = bytes("data:"), DONE = bytes("[DONE]"),
            DELTA = bytes("message.delta"), COMPLETED = bytes("message.completed"),
            INCOMPLETE = bytes("message.incomplete"), ERROR = bytes("error");
    static final CharSequence X_USER_ID = HttpHeaders.createOptimized("X-User-ID"),
            APPLICATION_JSON = HttpHeaders.createOptimized("application/json"),
            EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");

    final Options o;
    final boolean service;
    final String host;
    final int port;
    final String basePath;
    final long timeoutMs;
    Vertx vertx;
    Context context;
    HttpClient client;
    CompletableFuture<String> result = new CompletableFuture<>();
    Buffer body;
    Conv[] convs;
    int setupErrors;

    // statistics (timed requests only)
    final Histogram ttfb = histogram(), ttft = histogram(), total = histogram(), connect = histogram(),
            late = histogram();
    long ok, errors, warmupErrors, deltas;
    final Map<String, Long> errorKinds = new LinkedHashMap<>();
    int inFlight, maxInFlight;
    long launched, finishedCount;
    long startNs;
    long firstStartNs, lastSendNs, lastEndNs;

    LoadClient(Options o) {
        this.o = o;
        this.service = o.service();
        URI uri = URI.create(o.url);
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
        this.basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.timeoutMs = Math.max(1, Math.round(o.timeoutS * 1000));
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (UsageException e) {
            System.err.println("LoadClient: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (o == null) {
            System.err.print(USAGE);
            System.exit(0);
        }
        System.exit(o.mode.startsWith("grpc-") ? new GrpcLoad(o).run() : new LoadClient(o).run());
    }

    int run() {
        long fdLimit = fileDescriptorLimit();
        if (fdLimit > 0 && o.connections + 64 > fdLimit) {
            log("warning: up to %d connections but the file descriptor limit is %d (ulimit -n)", o.connections,
                    fdLimit);
        }
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        vertx.exceptionHandler(t -> {
            t.printStackTrace();
            result.completeExceptionally(t);
        });
        context = vertx.getOrCreateContext();
        client = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setKeepAliveTimeout(300).setTcpNoDelay(true).setPipelining(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)).setIdleTimeout(0)
                .setDecompressionSupported(false).setReuseAddress(true),
                new PoolOptions().setHttp1MaxSize(o.connections).setMaxWaitQueueSize(-1));
        log("%s %s %s: %s", o.mode, o.target, o.url, settings());
        context.runOnContext(v -> {
            try {
                begin();
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        int code = 0;
        try {
            String line = result.get();
            System.out.println(line);
            System.out.flush();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log("failed: %s", cause.getMessage() != null ? cause.getMessage() : cause.toString());
            code = 3;
        }
        client.close();
        vertx.close();
        return code;
    }

    // ---- flow --------------------------------------------------------------------------------------------------

    void begin() throws IOException {
        String stream = Boolean.TRUE.equals(o.stream) ? ",\"stream\":true" : "";
        String content = JSON.writeValueAsString(o.content);
        body = Buffer.buffer(service ? "{\"content\":" + content + stream + "}"
                : "{\"model\":" + JSON.writeValueAsString(o.model) + ",\"messages\":[{\"role\":\"user\",\"content\":"
                        + content + "}]" + stream + "}");
        if (!service) {
            Conv only = new Conv(null, null, basePath + "/chat/completions");
            convs = new Conv[] {only};
            startMode();
        } else if (o.conversationsFile != null) {
            // all of the file's conversations, unless a number was asked for (streams: one per stream)
            boolean exact = o.conversationsGiven || o.mode.equals("streams");
            int wanted = exact ? o.conversations : Integer.MAX_VALUE;
            int needed = exact ? o.conversations : o.mode.equals("ttft") ? o.concurrency : 1;
            List<String> lines = Files.readAllLines(Path.of(o.conversationsFile));
            List<Conv> list = new ArrayList<>();
            for (String l : lines) {
                String[] parts = l.split("\t");
                if (parts.length >= 2 && list.size() < wanted) {
                    list.add(conversation(parts[0], parts[1]));
                }
            }
            if (list.size() < needed) {
                throw new IOException(o.conversationsFile + " has " + list.size() + " conversations, "
                        + needed + " needed");
            }
            convs = list.toArray(new Conv[0]);
            o.users = (int) list.stream().map(c -> c.user).distinct().count();
            log("%d conversations of %d users read from %s", convs.length, o.users, o.conversationsFile);
            startMode();
        } else {
            createConversations(this::startMode);
        }
    }

    Conv conversation(String user, String id) {
        return new Conv(user, id, basePath + "/api/v1/conversations/" + id + "/messages");
    }

    void startMode() {
        switch (o.mode) {
            case "setup" -> writeConversations();
            case "ttft" -> runTtft();
            case "streams" -> runStreams();
            case "rate" -> runRate();
            default -> throw new IllegalStateException(o.mode);
        }
    }

    /** Creates the conversations 64 at a time, each tried up to 3 times. Not timed. */
    void createConversations(Runnable then) {
        int n = o.conversations;
        convs = new Conv[n];
        Buffer create = Buffer.buffer("{\"title\":\"bench\"}");
        long t0 = System.nanoTime();
        log("creating %d conversations over %d users (%s-0..%d)", n, o.users, o.userPrefix, o.users - 1);
        sixtyFourAtATime(n, (i, next) -> createConversation(create, o.userPrefix + "-" + (i % o.users), 1, conv -> {
            if (conv == null) {
                setupErrors++;
            } else {
                convs[i] = conv;
            }
            next.run();
        }), () -> {
            if (setupErrors > 0) {
                result.completeExceptionally(new IOException(setupErrors + " of " + n
                        + " conversations could not be created (see the errors above)"));
            } else {
                log("created %d conversations in %.1f s", n, (System.nanoTime() - t0) / 1e9);
                then.run();
            }
        });
    }

    /**
     * Calls {@code start(i, next)} for every index below {@code n}, 64 at a time: each calls {@code next} when it is
     * done, which starts the next index; {@code allDone} runs once, after the last. On the event loop: no locking.
     */
    static void sixtyFourAtATime(int n, BiConsumer<Integer, Runnable> start, Runnable allDone) {
        int[] next = {0};
        int[] done = {0};
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next[0]++;
            start.accept(i, () -> {
                done[0]++;
                if (done[0] == n) {
                    allDone.run();
                } else if (next[0] < n) {
                    startNext[0].run();
                }
            });
        };
        for (int k = 0; k < Math.min(64, n); k++) {
            startNext[0].run();
        }
    }

    void createConversation(Buffer create, String user, int attempt, Consumer<Conv> done) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setURI(basePath + "/api/v1/conversations").setIdleTimeout(timeoutMs);
        client.request(request).compose(req -> {
            req.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).putHeader(X_USER_ID, user);
            extraHeaders(req);
            return req.send(create).compose(resp -> resp.body().map(b -> {
                if (resp.statusCode() != 201) {
                    throw new IllegalStateException("status " + resp.statusCode() + ": " + snippet(b.toString()));
                }
                try {
                    return conversation(user, JSON.readTree(b.getBytes()).get("id").asText());
                } catch (Exception e) {
                    throw new IllegalStateException("unreadable answer " + snippet(b.toString()));
                }
            }));
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                done.accept(ar.result());
            } else if (attempt < 3) {
                vertx.setTimer(100L * attempt, t -> createConversation(create, user, attempt + 1, done));
            } else {
                if (setupErrors < 5) {
                    log("could not create a conversation for %s: %s", user, describe(ar.cause()));
                }
                done.accept(null);
            }
        });
    }

    void writeConversations() {
        StringBuilder text = new StringBuilder();
        for (Conv c : convs) {
            text.append(c.user).append('\t').append(c.id).append('\n');
        }
        try {
            Files.writeString(Path.of(o.out), text);
        } catch (IOException e) {
            result.completeExceptionally(e);
            return;
        }
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("mode", "setup");
        kv.put("conversations", convs.length);
        kv.put("users", o.users);
        kv.put("out", o.out);
        result.complete(line(kv));
    }

    // ---- mode ttft: closed loop ----------------------------------------------------------------------------------

    int nextConv;

    void runTtft() {
        long all = (long) o.warmup + o.requests;
        startNs = System.nanoTime();
        long progress = vertx.setPeriodic(5000, t -> progress());
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (launched >= all) {
                if (finishedCount == all) {
                    vertx.cancelTimer(progress);
                    report();
                }
                return;
            }
            boolean timed = launched >= o.warmup;
            if (launched == o.warmup && o.warmup > 0) {
                log("warm-up done: %d requests", o.warmup);
            }
            launched++;
            Call c = new Call(freeConversation(), true, timed);
            start(c, System.nanoTime(), call -> next[0].run());
        };
        for (int k = 0; k < Math.min(o.concurrency, all); k++) {
            next[0].run();
        }
    }

    /** The next conversation, round-robin, with no turn running (there is always one: conversations >= concurrency). */
    Conv freeConversation() {
        for (int k = 0; k < convs.length; k++) {
            Conv c = convs[nextConv];
            nextConv = (nextConv + 1) % convs.length;
            if (c.inFlight == 0 || !service) {
                return c;
            }
        }
        throw new IllegalStateException("no free conversation");
    }

    // ---- mode streams: all at once -------------------------------------------------------------------------------

    void runStreams() {
        int n = service ? convs.length : o.count;
        startNs = System.nanoTime();
        long progress = vertx.setPeriodic(1000, t -> progress());
        Consumer<Call> done = c -> {
            if (finishedCount == n) {
                vertx.cancelTimer(progress);
                report();
            }
        };
        startBatch(0, n, done);
    }

    /**
     * Starts streams {@code from..n-1}, 200 per turn of the event loop so that the connections already opened are
     * served between batches (5000 starts in one go would hold the event loop for a second on a small machine).
     */
    void startBatch(int from, int n, Consumer<Call> done) {
        int to = Math.min(n, from + 200);
        for (int i = from; i < to; i++) {
            launched++;
            start(new Call(convs[service ? i : 0], true, true), System.nanoTime(), done);
        }
        if (to < n) {
            context.runOnContext(v -> startBatch(to, n, done));
        } else {
            log("started %d streams in %.1f ms", n, (System.nanoTime() - startNs) / 1e6);
        }
    }

    // ---- mode rate: open loop ------------------------------------------------------------------------------------

    long offered, busyPicks, offerEndNs, lateMaxInSecond;

    void runRate() {
        long warm = Math.round(o.rps * o.warmupS);
        long all = warm + Math.round(o.rps * o.durationS);
        double intervalNs = 1e9 / o.rps;
        long progress = vertx.setPeriodic(1000, t -> progress());
        Consumer<Call> done = c -> {
            if (launched == all && finishedCount == all) {
                vertx.cancelTimer(progress);
                report();
            }
        };
        int[] rr = {0};
        long originNs = System.nanoTime();
        startNs = originNs + (long) (warm * intervalNs); // the measured window starts after the warm-up
        if (warm > 0) {
            log("warm-up: %d requests in %.1f s, not counted", warm, o.warmupS);
        }
        long[] ticker = new long[1];
        ticker[0] = vertx.setPeriodic(1, t -> {
            long now = System.nanoTime();
            long due = Math.min(all, (long) ((now - originNs) / intervalNs) + 1);
            while (launched < due) {
                long scheduled = originNs + (long) (launched * intervalNs);
                boolean timed = launched >= warm;
                if (timed) {
                    long lateUs = Math.max(0, (now - scheduled) / 1000);
                    late.recordValue(lateUs);
                    lateMaxInSecond = Math.max(lateMaxInSecond, lateUs);
                    offered++;
                }
                launched++;
                Conv conv = convs[rr[0]];
                rr[0] = (rr[0] + 1) % convs.length;
                if (service && timed && conv.inFlight > 0) {
                    busyPicks++;
                }
                start(new Call(conv, o.stream, timed), scheduled, done);
                now = System.nanoTime();
            }
            if (launched == all) {
                vertx.cancelTimer(ticker[0]);
                offerEndNs = System.nanoTime();
                log("offered %d requests in %.2f s; waiting for %d in flight", offered, (offerEndNs - startNs) / 1e9,
                        inFlight);
                done.accept(null);
            }
        });
    }

    // ---- one request ---------------------------------------------------------------------------------------------

    /** Starts one request now; {@code scheduledNs} is when it should have started (mode rate), or now. */
    void start(Call c, long scheduledNs, Consumer<Call> onDone) {
        c.scheduledNs = scheduledNs;
        c.initNs = System.nanoTime();
        if (firstStartNs == 0 && c.timed) {
            firstStartNs = c.initNs;
        }
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        c.conv.inFlight++;
        c.timerId = vertx.setTimer(timeoutMs, t -> {
            c.timerId = -1;
            String phase = c.request == null ? "connect" : c.headersNs == 0 ? "headers"
                    : c.stream && c.firstTokenNs == 0 ? "first_token" : "body";
            finish(c, "timeout_" + phase, "no answer within " + o.timeoutS + " s", onDone);
            if (c.request != null) {
                c.request.reset();
            }
        });
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(c.conv.path);
        client.request(options).onComplete(ar -> {
            if (c.finished) {
                if (ar.succeeded()) {
                    ar.result().reset();
                }
                return;
            }
            if (ar.failed()) {
                finish(c, "connect_" + kind(ar.cause()), describe(ar.cause()), onDone);
                return;
            }
            HttpClientRequest req = ar.result();
            c.request = req;
            req.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
                    .putHeader(HttpHeaders.ACCEPT, c.stream ? EVENT_STREAM : APPLICATION_JSON);
            if (c.conv.userHeader != null) {
                req.putHeader(X_USER_ID, c.conv.userHeader);
            }
            extraHeaders(req);
            c.sendNs = System.nanoTime();
            if (c.timed) {
                lastSendNs = c.sendNs;
            }
            req.send(body).onComplete(sent -> {
                if (c.finished) {
                    return;
                }
                if (sent.failed()) {
                    finish(c, "send_" + kind(sent.cause()), describe(sent.cause()), onDone);
                    return;
                }
                HttpClientResponse resp = sent.result();
                c.headersNs = System.nanoTime();
                int status = resp.statusCode();
                int expected = !service || c.stream ? 200 : 201;
                if (status != expected) {
                    resp.body().onComplete(b -> {
                        String text = b.succeeded() ? b.result().toString() : "";
                        String code = problemCode(text);
                        finish(c, "status_" + status + (code == null ? "" : "_" + code), snippet(text), onDone);
                    });
                    return;
                }
                resp.exceptionHandler(t -> finish(c, "body_" + kind(t), describe(t), onDone));
                if (c.stream) {
                    resp.handler(buf -> onData(c, buf, onDone));
                    resp.endHandler(v -> {
                        c.endNs = System.nanoTime();
                        if (c.lineLength > 0) {
                            onLine(c, c.endNs, onDone);
                        }
                        if (!c.terminal) {
                            finish(c, service ? "no_completion" : "no_done",
                                    "the stream ended without its completion event, after " + c.deltas + " data events",
                                    onDone);
                        } else {
                            finish(c, c.terminalError, c.terminalDetail, onDone);
                        }
                    });
                } else {
                    resp.handler(buf -> { });
                    resp.endHandler(v -> {
                        c.endNs = System.nanoTime();
                        finish(c, null, null, onDone);
                    });
                }
            });
        });
    }

    void extraHeaders(HttpClientRequest req) {
        for (String[] h : o.headers) {
            req.putHeader(h[0], h[1]);
        }
    }

    void onData(Call c, Buffer buf, Consumer<Call> onDone) {
        long now = System.nanoTime();
        byte[] bytes = buf.getBytes();
        for (byte b : bytes) {
            if (b == '\n') {
                onLine(c, now, onDone);
                c.lineLength = 0;
            } else {
                if (c.lineLength == c.line.length) {
                    c.line = Arrays.copyOf(c.line, c.line.length * 2);
                }
                c.line[c.lineLength++] = b;
            }
        }
    }

    /** One line of server-sent events (without its '\n'). */
    void onLine(Call c, long now, Consumer<Call> onDone) {
        byte[] l = c.line;
        int n = c.lineLength;
        if (n > 0 && l[n - 1] == '\r') {
            n--;
        }
        if (n == 0) {
            c.event = EV_OTHER;
            return;
        }
        if (service && startsWith(l, n, EVENT)) {
            int from = skipSpace(l, EVENT.length, n);
            c.event = equals(l, from, n, DELTA) ? EV_DELTA : equals(l, from, n, COMPLETED) ? EV_COMPLETED
                    : equals(l, from, n, INCOMPLETE) ? EV_INCOMPLETE : equals(l, from, n, ERROR) ? EV_ERROR : EV_OTHER;
            return;
        }
        if (!startsWith(l, n, DATA)) {
            return;
        }
        int from = skipSpace(l, DATA.length, n);
        if (service) {
            switch (c.event) {
                case EV_DELTA -> {
                    c.deltas++;
                    if (c.firstTokenNs == 0) {
                        c.firstTokenNs = now;
                    }
                }
                case EV_COMPLETED -> c.terminal = true;
                case EV_INCOMPLETE -> {
                    c.terminal = true;
                    JsonNode data = parse(l, from, n);
                    c.terminalError = "event_incomplete_" + text(data == null ? null : data.path("error").path("code"));
                    c.terminalDetail = "message.incomplete: " + snippet(l, from, n);
                }
                case EV_ERROR -> {
                    c.terminal = true;
                    JsonNode data = parse(l, from, n);
                    c.terminalError = "event_error_" + text(data == null ? null : data.path("code"));
                    c.terminalDetail = "error: " + snippet(l, from, n);
                }
                default -> { }
            }
            return;
        }
        if (equals(l, from, n, DONE)) {
            c.terminal = true;
            return;
        }
        c.deltas++;
        if (c.firstTokenNs == 0) {
            // the JSON is read only until the first token: after it a chunk costs a few byte comparisons
            JsonNode data = parse(l, from, n);
            if (data == null) {
                return;
            }
            if (data.has("error")) {
                JsonNode error = data.get("error");
                c.terminal = true;
                c.terminalError = "event_error_" + text(error.has("code") ? error.get("code") : error.path("type"));
                c.terminalDetail = snippet(l, from, n);
                return;
            }
            JsonNode content = data.path("choices").path(0).path("delta").path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                c.firstTokenNs = now;
            }
        }
    }

    void finish(Call c, String error, String detail, Consumer<Call> onDone) {
        if (c.finished) {
            return;
        }
        c.finished = true;
        if (c.timerId >= 0) {
            vertx.cancelTimer(c.timerId);
            c.timerId = -1;
        }
        inFlight--;
        finishedCount++;
        c.conv.inFlight--;
        long end = c.endNs != 0 ? c.endNs : System.nanoTime();
        if (c.timed) {
            lastEndNs = Math.max(lastEndNs, end);
        }
        if (error == null) {
            if (c.timed) {
                ok++;
                deltas += c.deltas;
                long base = o.mode.equals("rate") ? c.scheduledNs : c.sendNs;
                connect.recordValue(micros(c.sendNs - c.initNs));
                ttfb.recordValue(micros(c.headersNs - base));
                if (c.stream && c.firstTokenNs != 0) {
                    ttft.recordValue(micros(c.firstTokenNs - base));
                }
                total.recordValue(micros(end - base));
            }
        } else if (!c.timed) {
            warmupErrors++;
            if (warmupErrors <= 5) {
                log("warm-up error [%s]: %s", error, detail);
            }
        } else {
            errors++;
            Long before = errorKinds.merge(error, 1L, Long::sum);
            if (before == 1 && errorKinds.size() <= 10) {
                log("first error of kind [%s] at %.3f s: %s", error, (System.nanoTime() - startNs) / 1e9, detail);
            }
        }
        onDone.accept(c);
    }

    // ---- reporting -----------------------------------------------------------------------------------------------

    void progress() {
        String lateness = o.mode.equals("rate") && offerEndNs == 0
                ? String.format(Locale.ROOT, " late_max=%.1fms", lateMaxInSecond / 1000.0) : "";
        lateMaxInSecond = 0;
        log("[%6.1f s] started=%d in_flight=%d ok=%d errors=%d%s", (System.nanoTime() - startNs) / 1e9, launched,
                inFlight, ok, errors, lateness);
    }

    boolean reported;

    void report() {
        if (reported) {
            return;
        }
        reported = true;
        long now = System.nanoTime();
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("mode", o.mode);
        kv.put("target", o.target);
        long requests = o.mode.equals("rate") ? offered : o.mode.equals("streams") ? launched : o.requests;
        kv.put("requests", requests);
        kv.put("ok", ok);
        kv.put("errors", errors);
        kv.put("error_kinds", kinds());
        if (o.mode.equals("rate")) {
            double offerS = (offerEndNs - startNs) / 1e9;
            kv.put("offered", offered);
            kv.put("offered_rps", fmt(offered / o.durationS));
            // answered requests per second, from the first start to the last answer
            kv.put("achieved_rps", fmt(lastEndNs > startNs ? ok / ((lastEndNs - startNs) / 1e9) : 0));
            kv.put("success_pct", fmt(offered == 0 ? 0 : 100.0 * ok / offered));
            kv.put("offer_s", fmt(offerS));
            percentiles(kv, "", total);
            percentiles(kv, "late_", late);
            kv.put("busy_picks", busyPicks);
        } else {
            percentiles(kv, "", total);
        }
        percentiles(kv, "ttfb_", ttfb);
        if (Boolean.TRUE.equals(o.stream)) {
            percentiles(kv, "ttft_", ttft);
            kv.put("chunks_per_stream", fmt(ok == 0 ? 0 : (double) deltas / ok));
        }
        percentiles(kv, "total_", total);
        percentiles(kv, "connect_", connect);
        kv.put("wall_ms", fmt((lastEndNs - firstStartNs) / 1e6));
        kv.put("send_spread_ms", fmt(lastSendNs == 0 ? 0 : (lastSendNs - firstStartNs) / 1e6));
        kv.put("max_in_flight", maxInFlight);
        if (o.mode.equals("ttft")) {
            kv.put("warmup", o.warmup);
            kv.put("warmup_errors", warmupErrors);
            kv.put("concurrency", o.concurrency);
        }
        if (o.mode.equals("rate")) {
            kv.put("rps", fmt(o.rps));
            kv.put("duration_s", fmt(o.durationS));
            kv.put("warmup_s", fmt(o.warmupS));
            kv.put("warmup_errors", warmupErrors);
        }
        kv.put("stream", o.stream);
        if (service) {
            kv.put("conversations", convs.length);
            kv.put("users", o.users);
        }
        kv.put("connections", o.connections);
        kv.put("timeout_s", fmt(o.timeoutS));
        kv.put("url", o.url);

        log("done in %.2f s: %d requests, %d ok, %d errors", (now - startNs) / 1e9, requests, ok, errors);
        errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> log("  %8d  %s", e.getValue(), e.getKey()));
        if (ok > 0) {
            String main = o.mode.equals("rate") ? "latency (from the scheduled start)" : "total";
            log("  %-36s %s", main, describe(total));
            log("  %-36s %s", "first byte (headers)", describe(ttfb));
            if (Boolean.TRUE.equals(o.stream)) {
                log("  %-36s %s", "first token", describe(ttft));
            }
            log("  %-36s %s", "connection wait (pool / connect)", describe(connect));
        }
        if (o.mode.equals("rate")) {
            log("  %-36s %s", "scheduler lateness", describe(late));
            if (maxInFlight > o.connections) {
                log("note: up to %d requests were in flight but only %d connections (--connections): the rest waited"
                        + " in the client for a connection (connect_*; counted in the latency from the schedule)",
                        maxInFlight, o.connections);
            }
        }
        result.complete(line(kv));
    }

    String kinds() {
        if (errorKinds.isEmpty()) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e -> {
            if (!s.isEmpty()) {
                s.append(',');
            }
            s.append(e.getKey()).append(':').append(e.getValue());
        });
        return s.toString();
    }

    static void percentiles(Map<String, Object> kv, String prefix, Histogram h) {
        kv.put(prefix + "p50_ms", ms(h, 50));
        kv.put(prefix + "p90_ms", ms(h, 90));
        kv.put(prefix + "p99_ms", ms(h, 99));
        kv.put(prefix + "max_ms", h.getTotalCount() == 0 ? "NaN" : fmt(h.getMaxValue() / 1000.0));
    }

    static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "NaN" : fmt(h.getValueAtPercentile(percentile) / 1000.0);
    }

    static String describe(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "(none)";
        }
        return String.format(Locale.ROOT, "n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f mean=%.3f ms", h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getMean() / 1000.0);
    }

    String settings() {
        return switch (o.mode) {
            case "ttft" -> "requests=" + o.requests + " warmup=" + o.warmup + " concurrency=" + o.concurrency
                    + (service ? " conversations=" + o.conversations + " users=" + o.users : "");
            case "streams" -> "count=" + o.count + (service ? " users=" + o.users : "");
            case "rate" -> "rps=" + o.rps + " duration=" + o.durationS + "s warmup=" + o.warmupS + "s stream="
                    + o.stream
                    + (service ? " conversations=" + o.conversations + " users=" + o.users : "");
            default -> "conversations=" + o.conversations + " users=" + o.users;
        } + " timeout=" + o.timeoutS + "s connections=" + o.connections;
    }

    static String line(Map<String, Object> kv) {
        StringBuilder s = new StringBuilder();
        kv.forEach((k, v) -> {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(k).append('=').append(String.valueOf(v).replace(' ', '_'));
        });
        return s.toString();
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static Histogram histogram() {
        Histogram h = new Histogram(3_600_000_000L, 3); // microseconds, up to an hour
        h.setAutoResize(true);
        return h;
    }

    static long micros(long nanos) {
        return Math.max(0, nanos / 1000);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static void log(String format, Object... args) {
        System.err.println("[load] " + String.format(Locale.ROOT, format, args));
    }

    /** A short name for a failure, for error kinds. */
    static String kind(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "refused";
        }
        if (t instanceof HttpClosedException) {
            return "closed";
        }
        if (t instanceof StreamResetException) {
            return "reset";
        }
        String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("reset")) {
            return "reset";
        }
        if (message.contains("closed")) {
            return "closed";
        }
        return t.getClass().getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    static String describe(Throwable t) {
        return t.getClass().getName() + ": " + t.getMessage();
    }

    /** The {@code code} of a problem body (service) or of an OpenAI error, sanitised; null if none. */
    static String problemCode(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode code = node.has("code") ? node.get("code") : node.path("error").path("code");
            return code.isValueNode() && !code.isNull() ? text(code) : null;
        } catch (Exception e) {
            return null;
        }
    }

    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "unknown";
        }
        return node.asText().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    static JsonNode parse(byte[] bytes, int from, int to) {
        try {
            return JSON.readTree(bytes, from, to - from);
        } catch (Exception e) {
            return null;
        }
    }

    static String snippet(byte[] bytes, int from, int to) {
        return snippet(new String(bytes, from, to - from, StandardCharsets.UTF_8));
    }

    static String snippet(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static boolean startsWith(byte[] line, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static int skipSpace(byte[] line, int from, int length) {
        return from < length && line[from] == ' ' ? from + 1 : from;
    }

    static boolean equals(byte[] line, int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (line[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    static long fileDescriptorLimit() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                return unix.getMaxFileDescriptorCount();
            }
        } catch (Throwable ignored) {
            // not on Unix: no check
        }
        return -1;
    }

    // ---- the gRPC modes --------------------------------------------------------------------------------------------

    /**
     * Modes {@code grpc-turns}, {@code grpc-ttft} and {@code grpc-probe}: a grpc-java client of the service's
     * {@code microchatbot.v1.ChatService} (the classes generated from src/main/proto, from the app's jar). All its
     * state is touched on its one Netty event loop: calls end there ({@code onClose} hands over with
     * {@code execute}, so that a call ending inside {@code start} does not recurse).
     */
    static final class GrpcLoad {

        static final Metadata.Key<String> USER = Metadata.Key.of("x-user-id", Metadata.ASCII_STRING_MARSHALLER);

        /** A conversation and its prebuilt request. */
        static final class GConv {
            final String user;
            final String id;
            final SendMessageRequest request;
            int inFlight;

            GConv(String user, String id, String content) {
                this.user = user;
                this.id = id;
                this.request = SendMessageRequest.newBuilder().setConversationId(id).setContent(content).build();
            }
        }

        /** What a unary call answered: its last message (null if none) and its status. */
        interface Done<R> {
            void done(R response, Status status, Metadata trailers, long endNs);
        }

        final Options o;
        final String host;
        final int port;
        final long timeoutMs;
        final CompletableFuture<String> result = new CompletableFuture<>();
        EventLoopGroup group;
        EventLoop loop;
        ManagedChannel[] channels;
        int nextChannel;
        GConv[] convs;
        int nextConv;
        int setupErrors;

        // statistics (timed calls only)
        final Histogram total = histogram(), headers = histogram(), created = histogram(), ttft = histogram();
        long ok, errors, warmupErrors, deltas, launched, finished;
        int inFlight, maxInFlight;
        final Map<String, Long> errorKinds = new LinkedHashMap<>();
        long startNs, windowStartNs, windowEndNs, firstTimedStartNs, lastTimedEndNs;
        ScheduledFuture<?> progress;
        boolean reported;

        GrpcLoad(Options o) {
            this.o = o;
            URI uri = URI.create(o.url);
            this.host = uri.getHost();
            this.port = uri.getPort() > 0 ? uri.getPort() : 80;
            this.timeoutMs = Math.max(1, Math.round(o.timeoutS * 1000));
        }

        int run() {
            group = new NioEventLoopGroup(1, r -> {
                Thread t = new Thread(r, "grpc-load");
                t.setDaemon(true);
                return t;
            });
            loop = group.next();
            channels = new ManagedChannel[o.channels];
            for (int i = 0; i < channels.length; i++) {
                channels[i] = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                        .eventLoopGroup(group).channelType(NioSocketChannel.class).userAgent("microchatbot-bench")
                        .build();
                channels[i].getState(true); // connect now, not on the first call
            }
            log("%s %s (gRPC, %d channel%s): %s", o.mode, o.url, channels.length, channels.length == 1 ? "" : "s",
                    settings());
            loop.execute(() -> {
                try {
                    begin();
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            int code = 0;
            try {
                String line = result.get();
                System.out.println(line);
                System.out.flush();
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                log("failed: %s", cause.getMessage() != null ? cause.getMessage() : cause.toString());
                code = 3;
            }
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
            try {
                for (ManagedChannel channel : channels) {
                    channel.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            return code;
        }

        String settings() {
            return switch (o.mode) {
                case "grpc-turns" -> "concurrency=" + o.concurrency + " duration=" + o.durationS + "s warmup="
                        + o.warmupS + "s " + (o.conversationsFile != null ? "conversations-file=" + o.conversationsFile
                                : "conversations=" + o.conversations + " users=" + o.users);
                case "grpc-ttft" -> "requests=" + o.requests + " warmup=" + o.warmup + " concurrency="
                        + o.concurrency + " " + (o.conversationsFile != null ? "conversations-file="
                                + o.conversationsFile : "conversations=" + o.conversations + " users=" + o.users);
                default -> "";
            } + " timeout=" + o.timeoutS + "s";
        }

        void begin() throws IOException {
            if (o.mode.equals("grpc-probe")) {
                probe();
            } else if (o.conversationsFile != null) {
                boolean exact = o.conversationsGiven;
                int wanted = exact ? o.conversations : Integer.MAX_VALUE;
                int needed = exact ? o.conversations : o.concurrency;
                List<GConv> list = new ArrayList<>();
                for (String l : Files.readAllLines(Path.of(o.conversationsFile))) {
                    String[] parts = l.split("\t");
                    if (parts.length >= 2 && list.size() < wanted) {
                        list.add(new GConv(parts[0], parts[1], o.content));
                    }
                }
                if (list.size() < needed) {
                    throw new IOException(o.conversationsFile + " has " + list.size() + " conversations, " + needed
                            + " needed");
                }
                convs = list.toArray(new GConv[0]);
                o.users = (int) list.stream().map(c -> c.user).distinct().count();
                log("%d conversations of %d users read from %s", convs.length, o.users, o.conversationsFile);
                startMode();
            } else {
                createConversations(this::startMode);
            }
        }

        void startMode() {
            switch (o.mode) {
                case "grpc-turns" -> runTurns();
                case "grpc-ttft" -> runTtft();
                default -> throw new IllegalStateException(o.mode);
            }
        }

        ManagedChannel channel() {
            ManagedChannel channel = channels[nextChannel];
            nextChannel = (nextChannel + 1) % channels.length;
            return channel;
        }

        CallOptions options() {
            return CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        }

        static Metadata metadata(String user) {
            Metadata metadata = new Metadata();
            metadata.put(USER, user);
            return metadata;
        }

        /** One unary call as {@code user}; {@code done} runs on the event loop. */
        <Q, R> void unary(MethodDescriptor<Q, R> method, Q request, String user, Done<R> done) {
            ClientCall<Q, R> call = channel().newCall(method, options());
            call.start(new ClientCall.Listener<R>() {
                R response;

                @Override
                public void onMessage(R message) {
                    response = message;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    long endNs = System.nanoTime();
                    R answer = response;
                    loop.execute(() -> done.done(answer, status, trailers, endNs));
                }
            }, metadata(user));
            call.request(2); // as grpc-java's own unary calls: a second message would be a protocol error
            call.sendMessage(request);
            call.halfClose();
        }

        // ---- grpc-probe -----------------------------------------------------------------------------------------

        void probe() {
            unary(ChatServiceGrpc.getListConversationsMethod(), ListConversationsRequest.newBuilder().setLimit(1)
                    .build(), o.userPrefix + "-probe", (ListConversationsResponse page, Status status, Metadata trailers,
                            long endNs) -> {
                Map<String, Object> kv = new LinkedHashMap<>();
                kv.put("mode", o.mode);
                kv.put("grpc", status.isOk() ? "ok" : status.getCode().name());
                if (!status.isOk()) {
                    kv.put("detail", snippet(String.valueOf(status.getDescription())));
                    log("no gRPC: %s %s", status.getCode(), status.getDescription());
                }
                kv.put("url", o.url);
                result.complete(line(kv));
            });
        }

        // ---- conversations ------------------------------------------------------------------------------------------

        /** Creates the conversations over gRPC, 64 at a time, each tried up to 3 times. Not timed. */
        void createConversations(Runnable then) {
            int n = o.conversations;
            convs = new GConv[n];
            CreateConversationRequest create = CreateConversationRequest.newBuilder().setTitle("bench").build();
            long t0 = System.nanoTime();
            log("creating %d conversations over gRPC for %d users (%s-0..%d)", n, o.users, o.userPrefix, o.users - 1);
            sixtyFourAtATime(n, (i, next) -> createConversation(create, o.userPrefix + "-" + (i % o.users), 1, conv -> {
                if (conv == null) {
                    setupErrors++;
                } else {
                    convs[i] = conv;
                }
                next.run();
            }), () -> {
                if (setupErrors > 0) {
                    result.completeExceptionally(new IOException(setupErrors + " of " + n
                            + " conversations could not be created (see the errors above)"));
                } else {
                    log("created %d conversations in %.1f s", n, (System.nanoTime() - t0) / 1e9);
                    then.run();
                }
            });
        }

        void createConversation(CreateConversationRequest create, String user, int attempt, Consumer<GConv> done) {
            unary(ChatServiceGrpc.getCreateConversationMethod(), create, user,
                    (Conversation conversation, Status status, Metadata trailers, long endNs) -> {
                        if (status.isOk() && conversation != null) {
                            done.accept(new GConv(user, conversation.getId(), o.content));
                        } else if (attempt < 3) {
                            loop.schedule(() -> createConversation(create, user, attempt + 1, done), 100L * attempt,
                                    TimeUnit.MILLISECONDS);
                        } else {
                            if (setupErrors < 5) {
                                log("could not create a conversation for %s: %s %s", user, status.getCode(),
                                        status.getDescription());
                            }
                            done.accept(null);
                        }
                    });
        }

        /** The next conversation, round-robin, with no turn running (there is always one: conversations >= concurrency). */
        GConv freeConversation() {
            for (int k = 0; k < convs.length; k++) {
                GConv c = convs[nextConv];
                nextConv = (nextConv + 1) % convs.length;
                if (c.inFlight == 0) {
                    return c;
                }
            }
            throw new IllegalStateException("no free conversation");
        }

        void started(GConv c) {
            launched++;
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            c.inFlight++;
        }

        void ended(GConv c) {
            inFlight--;
            finished++;
            c.inFlight--;
        }

        void failed(boolean timed, String kind, String detail) {
            if (!timed) {
                warmupErrors++;
                if (warmupErrors <= 5) {
                    log("warm-up error [%s]: %s", kind, detail);
                }
                return;
            }
            errors++;
            Long before = errorKinds.merge(kind, 1L, Long::sum);
            if (before == 1 && errorKinds.size() <= 10) {
                log("first error of kind [%s] at %.3f s: %s", kind, (System.nanoTime() - startNs) / 1e9, detail);
            }
        }

        // ---- grpc-turns: closed loop of SendMessage -----------------------------------------------------------------

        void runTurns() {
            startNs = System.nanoTime();
            windowStartNs = startNs + (long) (o.warmupS * 1e9);
            windowEndNs = windowStartNs + (long) (o.durationS * 1e9);
            if (o.warmupS > 0) {
                log("warm-up: %.1f s, not counted", o.warmupS);
            }
            progress = loop.scheduleAtFixedRate(this::progress, 5, 5, TimeUnit.SECONDS);
            loop.schedule(this::windowStarts, windowStartNs - System.nanoTime(), TimeUnit.NANOSECONDS);
            loop.schedule(this::windowEnds, windowEndNs - System.nanoTime(), TimeUnit.NANOSECONDS);
            for (int k = 0; k < o.concurrency; k++) {
                nextTurn();
            }
        }

        // CPU over the measured window: this process's, and the service's when its pid is given
        long clientCpuStartNs, serverTicksStart = -1;
        double clientCores = Double.NaN, serverCores = Double.NaN, serverMsPerTurn = Double.NaN;

        void windowStarts() {
            clientCpuStartNs = processCpuNs();
            serverTicksStart = o.serverPid > 0 ? ticks(o.serverPid) : -1;
        }

        void windowEnds() {
            double seconds = o.durationS;
            long clientCpu = processCpuNs();
            if (clientCpu >= 0 && clientCpuStartNs >= 0) {
                clientCores = (clientCpu - clientCpuStartNs) / 1e9 / seconds;
            }
            long serverTicks = o.serverPid > 0 ? ticks(o.serverPid) : -1;
            if (serverTicks >= 0 && serverTicksStart >= 0) {
                double serverMs = (serverTicks - serverTicksStart) * 1000.0 / CLOCK_TICKS;
                serverCores = serverMs / 1000 / seconds;
                serverMsPerTurn = ok == 0 ? Double.NaN : serverMs / ok;
            }
        }

        /** USER_HZ: 100 on every Linux this runs on (the kernel's ABI for /proc, not CONFIG_HZ). */
        static final int CLOCK_TICKS = 100;

        /** utime + stime of a process, in clock ticks; -1 when unreadable. */
        static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of stat(5)
            } catch (Exception e) {
                return -1;
            }
        }

        static long processCpuNs() {
            try {
                if (ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os) {
                    return os.getProcessCpuTime();
                }
            } catch (Throwable ignored) {
                // no figure
            }
            return -1;
        }

        void nextTurn() {
            long now = System.nanoTime();
            if (now >= windowEndNs) {
                if (inFlight == 0) {
                    report();
                }
                return;
            }
            GConv c = freeConversation();
            started(c);
            long begun = System.nanoTime();
            unary(ChatServiceGrpc.getSendMessageMethod(), c.request, c.user,
                    (SendMessageResponse answer, Status status, Metadata trailers, long endNs) -> {
                        ended(c);
                        // counted as wrk counts: what ends within the measured window
                        boolean timed = endNs >= windowStartNs && endNs < windowEndNs;
                        if (status.isOk() && answer != null) {
                            if (timed) {
                                ok++;
                                total.recordValue(micros(endNs - begun));
                            }
                        } else if (endNs < windowEndNs) {
                            failed(timed, status.isOk() ? "no_answer" : kind(status, trailers), statusText(status));
                        }
                        nextTurn();
                    });
        }

        // ---- grpc-ttft: streamed turns, closed loop ---------------------------------------------------------------

        /** One streamed call's progress; touched by its listener (serialised by grpc-java) and then on the loop. */
        static final class Stream {
            final GConv conv;
            final boolean timed;
            long startNs, headersNs, createdNs, firstTokenNs, endNs;
            int deltas;
            boolean terminal;
            String terminalError, terminalDetail;

            Stream(GConv conv, boolean timed) {
                this.conv = conv;
                this.timed = timed;
            }
        }

        void runTtft() {
            startNs = System.nanoTime();
            progress = loop.scheduleAtFixedRate(this::progress, 5, 5, TimeUnit.SECONDS);
            long all = (long) o.warmup + o.requests;
            for (int k = 0; k < Math.min(o.concurrency, all); k++) {
                nextStream();
            }
        }

        void nextStream() {
            long all = (long) o.warmup + o.requests;
            if (launched >= all) {
                if (finished == all) {
                    report();
                }
                return;
            }
            boolean timed = launched >= o.warmup;
            if (launched == o.warmup && o.warmup > 0) {
                log("warm-up done: %d requests", o.warmup);
            }
            GConv c = freeConversation();
            started(c);
            Stream s = new Stream(c, timed);
            ClientCall<SendMessageRequest, SendMessageStreamResponse> call = channel()
                    .newCall(ChatServiceGrpc.getSendMessageStreamMethod(), options());
            s.startNs = System.nanoTime();
            if (timed && firstTimedStartNs == 0) {
                firstTimedStartNs = s.startNs;
            }
            call.start(new ClientCall.Listener<SendMessageStreamResponse>() {
                @Override
                public void onHeaders(Metadata metadata) {
                    s.headersNs = System.nanoTime();
                }

                @Override
                public void onMessage(SendMessageStreamResponse event) {
                    long now = System.nanoTime();
                    switch (event.getEventCase()) {
                        case MESSAGE_CREATED -> {
                            if (s.createdNs == 0) {
                                s.createdNs = now;
                            }
                        }
                        case MESSAGE_DELTA -> {
                            s.deltas++;
                            if (s.firstTokenNs == 0) {
                                s.firstTokenNs = now;
                            }
                        }
                        case MESSAGE_COMPLETED -> s.terminal = true;
                        case MESSAGE_INCOMPLETE -> {
                            s.terminal = true;
                            s.terminalError = "event_incomplete_" + code(event.getMessageIncomplete().getError());
                            s.terminalDetail = "MessageIncomplete: " + snippet(event.toString());
                        }
                        case MESSAGE_FAILED -> {
                            s.terminal = true;
                            s.terminalError = "event_failed_" + code(event.getMessageFailed().getError());
                            s.terminalDetail = "MessageFailed: " + snippet(event.toString());
                        }
                        default -> { }
                    }
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    s.endNs = System.nanoTime();
                    loop.execute(() -> endStream(s, status, trailers));
                }
            }, metadata(c.user));
            call.request(Integer.MAX_VALUE);
            call.sendMessage(c.request);
            call.halfClose();
        }

        void endStream(Stream s, Status status, Metadata trailers) {
            ended(s.conv);
            if (s.timed) {
                lastTimedEndNs = Math.max(lastTimedEndNs, s.endNs);
            }
            if (!status.isOk()) {
                failed(s.timed, kind(status, trailers), statusText(status));
            } else if (!s.terminal) {
                failed(s.timed, "no_completion", "the stream ended OK without its terminal event, after " + s.deltas
                        + " deltas");
            } else if (s.terminalError != null) {
                failed(s.timed, s.terminalError, s.terminalDetail);
            } else if (s.timed) {
                ok++;
                deltas += s.deltas;
                if (s.headersNs != 0) {
                    headers.recordValue(micros(s.headersNs - s.startNs));
                }
                if (s.createdNs != 0) {
                    created.recordValue(micros(s.createdNs - s.startNs));
                }
                if (s.firstTokenNs != 0) {
                    ttft.recordValue(micros(s.firstTokenNs - s.startNs));
                }
                total.recordValue(micros(s.endNs - s.startNs));
            }
            nextStream();
        }

        // ---- reporting ----------------------------------------------------------------------------------------------

        void progress() {
            log("[%6.1f s] started=%d in_flight=%d ok=%d errors=%d", (System.nanoTime() - startNs) / 1e9, launched,
                    inFlight, ok, errors);
        }

        void report() {
            if (reported) {
                return;
            }
            reported = true;
            if (progress != null) {
                progress.cancel(false);
            }
            boolean turns = o.mode.equals("grpc-turns");
            Map<String, Object> kv = new LinkedHashMap<>();
            kv.put("mode", o.mode);
            kv.put("target", "service-grpc");
            kv.put("requests", turns ? ok + errors : o.requests);
            kv.put("ok", ok);
            kv.put("errors", errors);
            kv.put("error_kinds", kinds());
            if (turns) {
                kv.put("rps", fmt(ok / o.durationS));
                percentiles(kv, "", total);
                kv.put("client_cpu_cores", fmt(clientCores));
                kv.put("server_cpu_cores", fmt(serverCores));
                kv.put("server_cpu_ms_per_turn", fmt(serverMsPerTurn));
                kv.put("duration_s", fmt(o.durationS));
                kv.put("warmup_s", fmt(o.warmupS));
            } else {
                percentiles(kv, "headers_", headers);
                percentiles(kv, "created_", created);
                percentiles(kv, "ttft_", ttft);
                percentiles(kv, "total_", total);
                kv.put("chunks_per_stream", fmt(ok == 0 ? 0 : (double) deltas / ok));
                kv.put("wall_ms", fmt((lastTimedEndNs - firstTimedStartNs) / 1e6));
                kv.put("warmup", o.warmup);
            }
            kv.put("warmup_errors", warmupErrors);
            kv.put("concurrency", o.concurrency);
            kv.put("max_in_flight", maxInFlight);
            kv.put("channels", channels.length);
            kv.put("conversations", convs.length);
            kv.put("users", o.users);
            kv.put("timeout_s", fmt(o.timeoutS));
            kv.put("url", o.url);

            log("done in %.2f s: %d ok, %d errors (%d warm-up errors)", (System.nanoTime() - startNs) / 1e9, ok,
                    errors, warmupErrors);
            errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .forEach(e -> log("  %8d  %s", e.getValue(), e.getKey()));
            if (ok > 0) {
                if (turns) {
                    log("  %-36s %s", "SendMessage latency", describe(total));
                    log("  %-36s %.1f", "turns/s", ok / o.durationS);
                    log("  %-36s client %.2f cores, service %.2f cores, %.2f ms of service CPU per turn", "CPU",
                            clientCores, serverCores, serverMsPerTurn);
                } else {
                    log("  %-36s %s", "response headers", describe(headers));
                    log("  %-36s %s", "first MessageCreated", describe(created));
                    log("  %-36s %s", "first MessageDelta (first token)", describe(ttft));
                    log("  %-36s %s", "total", describe(total));
                }
            }
            result.complete(line(kv));
        }

        String kinds() {
            if (errorKinds.isEmpty()) {
                return "-";
            }
            StringBuilder s = new StringBuilder();
            errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e -> {
                if (!s.isEmpty()) {
                    s.append(',');
                }
                s.append(e.getKey()).append(':').append(e.getValue());
            });
            return s.toString();
        }

        /** {@code grpc_<CODE>}, and {@code _<reason>} of the status's ErrorInfo when it has one. */
        static String kind(Status status, Metadata trailers) {
            String reason = null;
            try {
                com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
                if (details != null) {
                    for (Any detail : details.getDetailsList()) {
                        if (detail.is(ErrorInfo.class)) {
                            reason = detail.unpack(ErrorInfo.class).getReason();
                        }
                    }
                }
            } catch (Exception ignored) {
                // no readable details: the code alone
            }
            return "grpc_" + status.getCode().name()
                    + (reason == null || reason.isEmpty() ? "" : "_" + reason.toLowerCase(Locale.ROOT)
                            .replaceAll("[^a-z0-9_]", "_"));
        }

        static String code(Problem problem) {
            String code = problem.getCode();
            return code.isEmpty() ? "unknown" : code.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        }

        static String statusText(Status status) {
            return status.getCode() + ": " + status.getDescription()
                    + (status.getCause() == null ? "" : " (" + LoadClient.describe(status.getCause()) + ")");
        }
    }
}
