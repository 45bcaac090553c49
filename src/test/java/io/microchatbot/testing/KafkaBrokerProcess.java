package io.microchatbot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * One single-node KRaft Kafka (broker and controller) in its own java process, from the jars that the build puts in
 * target/kafka-broker/lib (profile kafka-broker-jars). Its ports and data directory are chosen once, so a restart
 * keeps its topics and committed offsets.
 */
final class KafkaBrokerProcess {

    private static final String HOST = "127.0.0.1";
    private static final Path HOME = Path.of("target", "kafka-broker").toAbsolutePath();
    private static final Path LIB = HOME.resolve("lib");
    /** Marks the broker's command line with the test JVM that owns it, to find brokers whose owner died. */
    private static final String OWNER_FLAG = "-Dmicrochatbot.test-kafka.owner=";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final int port = freePort();
    private final int controllerPort = freePort();
    private final Path dataDir = HOME.resolve("data-" + UUID.randomUUID());
    private final Path config = dataDir.resolve("server.properties");
    private final Path log = dataDir.resolve("broker.log");
    private Process process;

    KafkaBrokerProcess() {
        requireJarsOfClientVersion();
        killBrokersOfDeadTestRuns();
        try {
            Files.createDirectories(dataDir);
            Files.writeString(config, properties());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString());
    }

    String bootstrapServers() {
        return HOST + ":" + port;
    }

    synchronized void launch() {
        if (isAlive()) {
            return;
        }
        process = start(javaCommand("kafka.Kafka", config.toString()));
    }

    boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM (a controlled shutdown), SIGKILL if it has not ended within 20 s. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /**
     * For the JVM's shutdown hook: no controlled shutdown, and the topics' data goes, since nobody reads it afterwards;
     * the broker's log stays for diagnosis.
     */
    synchronized void destroy() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteRecursively(dataDir.resolve("kafka-logs"));
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    Path log() {
        return log;
    }

    private String properties() {
        String controller = HOST + ":" + controllerPort;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + controller,
                "listeners=PLAINTEXT://" + bootstrapServers() + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://" + bootstrapServers(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "group.initial.rebalance.delay.ms=0",
                // One replica of everything on one node; one partition of each internal topic keeps the first
                // group's and the first transaction's coordinator quick to load.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                "log.dirs=" + dataDir.resolve("kafka-logs"),
                "");
    }

    private void run(String mainClass, String... args) {
        Process tool = start(javaCommand(mainClass, args));
        try {
            if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                tool.destroyForcibly();
                throw new IllegalStateException(mainClass + " failed; its output (" + log + "):\n" + logTail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process start(List<String> command) {
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                // A 2-core machine shared with the tests: few GC threads, little JIT work for a lightly used broker.
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss,SSS",
                OWNER_FLAG + ProcessHandle.current().pid(),
                "-cp", LIB + "/*",
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** The broker must speak the version of the clients that the service uses (the Quarkus BOM's kafka-clients). */
    private static void requireJarsOfClientVersion() {
        String version = AppInfoParser.getVersion();
        Path brokerJar = LIB.resolve("kafka_2.13-" + version + ".jar");
        if (Files.exists(brokerJar)) {
            return;
        }
        List<String> found;
        try (Stream<Path> jars = Files.exists(LIB) ? Files.list(LIB) : Stream.empty()) {
            found = jars.map(jar -> jar.getFileName().toString()).filter(name -> name.startsWith("kafka_")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("No " + brokerJar + " (found " + found + ") for kafka-clients " + version
                + ": the build fetches the broker's jars (profile kafka-broker-jars, src/test/kafka-broker/pom.xml) "
                + "unless -DskipTests; keep its version and the jar named in that profile equal to kafka-clients");
    }

    /** A crashed or killed test JVM leaves its broker running, holding memory and ports: end those, and only those. */
    private static void killBrokersOfDeadTestRuns() {
        ProcessHandle.allProcesses()
                .filter(KafkaBrokerProcess::isBrokerOfDeadTestRun)
                .forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isBrokerOfDeadTestRun(ProcessHandle candidate) {
        return candidate.info().arguments().stream()
                .flatMap(Stream::of)
                .filter(argument -> argument.startsWith(OWNER_FLAG))
                .map(argument -> Long.parseLong(argument.substring(OWNER_FLAG.length())))
                .anyMatch(owner -> ProcessHandle.of(owner).filter(ProcessHandle::isAlive).isEmpty());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // left for mvn clean
        }
    }
}
