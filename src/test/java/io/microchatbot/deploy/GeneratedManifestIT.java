package io.microchatbot.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest the build generates (target/kubernetes/kubernetes.yml, written at package time, so this runs with
 * the integration tests): names, the named port, probes, resources, configuration only by reference, hardening,
 * and a grace period that covers the service's own shutdown.
 */
class GeneratedManifestIT {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void deploymentAndServiceAreNamedWiredToTheProbesAndHardened() throws IOException {
        List<JsonNode> objects = objects(Path.of("target", "kubernetes", "kubernetes.yml"));
        JsonNode deployment = kind(objects, "Deployment");
        JsonNode service = kind(objects, "Service");
        assertThat(deployment.at("/metadata/name").asText()).isEqualTo("micro-chatbot-service");
        assertThat(service.at("/metadata/name").asText()).isEqualTo("micro-chatbot-service");
        assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("http");
        assertThat(service.at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
        // A selector that holds the version would change with every release and break rolling updates.
        assertThat(deployment.at("/spec/selector/matchLabels").has("app.kubernetes.io/version")).isFalse();

        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container.at("/readinessProbe/timeoutSeconds").asInt())
                .isLessThan(container.at("/readinessProbe/periodSeconds").asInt());
        assertThat(container.at("/resources/requests/cpu").asText()).isNotEmpty();
        assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
        assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();

        assertThat(container.at("/envFrom").findValuesAsText("name"))
                .contains("micro-chatbot-service-config", "micro-chatbot-service-secrets");
        for (JsonNode env : container.path("env")) {
            assertThat(env.path("name").asText()).as("no secret given by value")
                    .doesNotContainIgnoringCase("password").doesNotContainIgnoringCase("secret")
                    .doesNotContainIgnoringCase("api_key");
        }
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("true");
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1path").asText())
                .isEqualTo("/q/metrics");

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");

        Properties config = new Properties();
        try (var in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            config.load(in);
        }
        long shutdown = seconds(config.getProperty("quarkus.shutdown.delay"))
                + seconds(config.getProperty("quarkus.shutdown.timeout"))
                + 5; // chatbot.turn.shutdown-grace default (TurnConfig#shutdownGrace)
        assertThat(pod.at("/terminationGracePeriodSeconds").asLong()).isGreaterThan(shutdown);
    }

    @Test
    void everyGeneratedObjectPassesTheOfflineSchemaValidator() {
        DeployFiles.ValidatorRun run = DeployFiles.runValidator(List.of(Path.of("target", "kubernetes", "kubernetes.yml")
                .toAbsolutePath()));
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    private static long seconds(String duration) {
        return Duration.parse("PT" + duration.toUpperCase()).toSeconds();
    }

    private static JsonNode kind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(object -> kind.equals(object.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("No " + kind + " in the generated manifest"));
    }

    private static List<JsonNode> objects(Path file) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var documents = YAML.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isEmpty()) {
                    objects.add(document);
                }
            }
        }
        assertThat(objects).isNotEmpty();
        return objects;
    }
}
