package io.microchatbot.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.junit.jupiter.api.Assertions.fail;

/** Files of the deployment (kubernetes/, helm/), YAML loading and the offline validator, for the deploy tests. */
final class DeployFiles {

    static final Path ROOT = projectRoot();
    static final Path KUBERNETES = ROOT.resolve("kubernetes");
    static final Path VALIDATOR = KUBERNETES.resolve("validate/validate.mjs");
    static final Path CHART = ROOT.resolve("helm/micro-chatbot-service");

    private DeployFiles() {
    }

    private static Path projectRoot() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("pom.xml not found above " + System.getProperty("user.dir"));
        }
        return dir;
    }

    /** Every *.yaml / *.yml under a directory, node_modules left out, sorted. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("node_modules"))
                    .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of a YAML stream, empty ones (comments only) left out. */
    static List<Object> loadAll(String yaml) {
        Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Object> docs = new ArrayList<>();
        for (Object doc : parser.loadAll(yaml)) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    static List<Object> loadAll(Path file) {
        try {
            return loadAll(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Kubernetes objects (maps with apiVersion and kind) among some documents. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(List<Object> docs) {
        return docs.stream()
                .filter(d -> d instanceof Map<?, ?> m && m.containsKey("apiVersion") && m.containsKey("kind"))
                .map(d -> (Map<String, Object>) d)
                .toList();
    }

    record ValidatorRun(int exitCode, String output) {
    }

    /**
     * Runs kubernetes/validate/validate.mjs on some files. Fails the test (never skips it) when its npm dependencies
     * are not installed or node cannot be run.
     */
    static ValidatorRun runValidator(List<Path> files) {
        Path modules = KUBERNETES.resolve("validate/node_modules");
        if (!Files.isDirectory(modules.resolve("kubernetes-models"))) {
            fail("kubernetes/validate/node_modules is missing: run `npm ci --prefix kubernetes/validate` first "
                    + "(the offline validator's dependencies, pinned in kubernetes/validate/package-lock.json)");
        }
        List<String> command = new ArrayList<>(List.of("node", VALIDATOR.toString()));
        files.forEach(f -> command.add(f.toString()));
        try {
            Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("validate.mjs did not finish within 120 s");
            }
            return new ValidatorRun(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fail("cannot run `node " + VALIDATOR + "` (is Node.js 20+ on the PATH?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while running validate.mjs");
        }
    }

    // --- navigation in parsed YAML ---------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String... path) {
        Object v = get(o, path);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String... path) {
        Object v = get(o, path);
        return v == null ? List.of() : (List<Object>) v;
    }

    static String str(Object o, String... path) {
        Object v = get(o, path);
        return v == null ? null : v.toString();
    }

    static Object get(Object o, String... path) {
        Object cur = o;
        for (String key : path) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(key);
        }
        return cur;
    }

    static String kind(Map<String, Object> obj) {
        return str(obj, "kind");
    }

    static String name(Map<String, Object> obj) {
        return str(obj, "metadata", "name");
    }
}
