package io.microchatbot.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import static io.microchatbot.deploy.DeployFiles.CHART;
import static io.microchatbot.deploy.DeployFiles.KUBERNETES;

/**
 * The plain manifests under kubernetes/ are the chart rendered with kubernetes/values.yaml, one folder per mesh and
 * one file per template, by the Helm library embedded in helm-java (the one HelmChartTest uses, so no helm binary is
 * needed and every machine renders the same bytes).
 */
final class PlainManifests {

    static final Path VALUES = KUBERNETES.resolve("values.yaml");
    /** Each folder is the whole rendering for that mesh: `kubectl apply -f kubernetes/<mesh>/`. */
    static final List<String> MESHES = List.of("none", "istio", "linkerd");
    /** Rendered too, from templates the chart renders only when asked to; kept out of the folders applied whole. */
    static final Path REQUEST_AUTHENTICATION = Path.of("istio", "optional", "requestauthentication.yaml");
    static final Path SERVICE_MONITOR = Path.of("monitoring", "servicemonitor.yaml");

    private static final String RELEASE = "micro-chatbot-service";
    private static final Pattern SOURCE = Pattern.compile("(?m)^---\\n# Source: " + RELEASE + "/templates/(\\S+)\\n");

    private PlainManifests() {
    }

    /** Every rendered file, by its path under kubernetes/. */
    static Map<Path, String> render() {
        Map<Path, String> files = new TreeMap<>();
        for (String mesh : MESHES) {
            templates(Map.of("mesh", mesh)).forEach((template, yaml) -> add(files,
                    Path.of(mesh).resolve(Path.of(template).getFileName()), template, "mesh=" + mesh, yaml));
        }
        String optional = "mesh=istio, serviceMonitor.enabled=true, istio.requestAuthentication.enabled=true";
        Map<String, String> extra = templates(Map.of("mesh", "istio", "serviceMonitor.enabled", "true",
                "istio.requestAuthentication.enabled", "true"));
        add(files, REQUEST_AUTHENTICATION, "istio/requestauthentication.yaml", optional,
                extra.get("istio/requestauthentication.yaml"));
        add(files, SERVICE_MONITOR, "servicemonitor.yaml", optional, extra.get("servicemonitor.yaml"));
        return files;
    }

    /** The committed files that render() produces or used to: the mesh folders and the two files above. */
    static Map<Path, String> committed() {
        Map<Path, String> files = new TreeMap<>();
        Stream.concat(MESHES.stream().map(Path::of), Stream.of(SERVICE_MONITOR))
                .map(KUBERNETES::resolve)
                .filter(Files::exists)
                .flatMap(PlainManifests::walk)
                .filter(Files::isRegularFile)
                .forEach(f -> files.put(KUBERNETES.relativize(f), read(f)));
        return files;
    }

    /** Replaces the committed files with the rendered ones (kubernetes/render). */
    static void write(Map<Path, String> rendered) throws IOException {
        for (Path stale : committed().keySet()) {
            Files.delete(KUBERNETES.resolve(stale));
        }
        for (Map.Entry<Path, String> file : rendered.entrySet()) {
            Path target = KUBERNETES.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** The documents helm template writes, joined per template (path under templates/). */
    private static Map<String, String> templates(Map<String, String> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(RELEASE)
                .withValuesFile(VALUES);
        for (Map.Entry<String, String> v : values.entrySet()) {
            template = template.set(v.getKey(), v.getValue());
        }
        String rendered = template.call();
        Map<String, String> byTemplate = new LinkedHashMap<>();
        Matcher m = SOURCE.matcher(rendered);
        if (!m.find() || m.start() != 0) {
            throw new IllegalStateException("helm template output does not start with a `# Source:` document");
        }
        while (true) {
            String name = m.group(1);
            int start = m.end();
            boolean more = m.find();
            String document = rendered.substring(start, more ? m.start() : rendered.length());
            byTemplate.merge(name, document, (a, b) -> a + "---\n" + b);
            if (!more) {
                return byTemplate;
            }
        }
    }

    private static void add(Map<Path, String> files, Path file, String template, String values, String yaml) {
        if (yaml == null) {
            throw new IllegalStateException("the chart rendered nothing from templates/" + template + " with " + values);
        }
        String header = "# Rendered by kubernetes/render from helm/micro-chatbot-service/templates/" + template + "\n"
                + "# (values: kubernetes/values.yaml, " + values + ").\n"
                + "# Do not edit: change the chart or kubernetes/values.yaml, then run kubernetes/render.\n";
        if (files.put(file, header + (yaml.endsWith("\n") ? yaml : yaml + "\n")) != null) {
            throw new IllegalStateException("two templates render to kubernetes/" + file);
        }
    }

    private static Stream<Path> walk(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
