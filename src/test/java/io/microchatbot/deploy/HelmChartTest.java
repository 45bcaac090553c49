package io.microchatbot.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import static io.microchatbot.deploy.DeployFiles.CHART;
import static io.microchatbot.deploy.DeployFiles.get;
import static io.microchatbot.deploy.DeployFiles.kind;
import static io.microchatbot.deploy.DeployFiles.list;
import static io.microchatbot.deploy.DeployFiles.map;
import static io.microchatbot.deploy.DeployFiles.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart helm/micro-chatbot-service, with the Helm library embedded in helm-java (no helm binary, no
 * cluster): it lints, renders for each mesh, passes the offline validator, and keeps what the service needs.
 */
class HelmChartTest {

    private static final Set<String> ISTIO_KINDS = Set.of("PeerAuthentication", "AuthorizationPolicy",
            "DestinationRule", "VirtualService", "RequestAuthentication");
    private static final Set<String> LINKERD_KINDS = Set.of("Server", "HTTPRoute", "MeshTLSAuthentication",
            "NetworkAuthentication");

    private static String render(Map<String, String> values) {
        TemplateCommand template = new Helm(CHART).template().withName("chatbot").withNamespace("chatbot");
        for (Map.Entry<String, String> v : values.entrySet()) {
            template = template.set(v.getKey(), v.getValue());
        }
        return template.call();
    }

    private static List<Map<String, Object>> objects(String rendered) {
        return DeployFiles.objects(DeployFiles.loadAll(rendered));
    }

    private static Map<String, String> values(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static Set<String> kinds(List<Map<String, Object>> objects) {
        return objects.stream().map(DeployFiles::kind).collect(Collectors.toSet());
    }

    @Test
    void lintPassesStrict() {
        LintResult result = new Helm(CHART).lint().strict().call();
        result.getMessages().forEach(System.out::println);
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "none", "istio", "linkerd" })
    void rendersForEachMeshAndPassesTheValidator(String mesh) throws IOException {
        String rendered = render(values("mesh", mesh, "serviceMonitor.enabled", "true"));
        Path out = Files.createDirectories(DeployFiles.ROOT.resolve("target/helm")).resolve(mesh + ".yaml");
        Files.writeString(out, rendered, StandardCharsets.UTF_8);

        List<Map<String, Object>> objects = objects(rendered);
        ServiceTimeouts service = ServiceTimeouts.read();
        Map<String, Object> deployment = WorkloadChecks.only(objects, "Deployment");
        WorkloadChecks.assertDeployment(deployment, service);
        WorkloadChecks.assertService(WorkloadChecks.only(objects, "Service"), mesh);
        WorkloadChecks.assertHpa(WorkloadChecks.only(objects, "HorizontalPodAutoscaler"));
        WorkloadChecks.assertNetworkPolicy(WorkloadChecks.only(objects, "NetworkPolicy"));
        assertThat(kinds(objects)).contains("ServiceAccount", "ConfigMap", "PodDisruptionBudget", "ServiceMonitor")
                .doesNotContain("Secret");
        Map<String, Object> monitor = WorkloadChecks.only(objects, "ServiceMonitor");
        assertThat(str(list(monitor, "spec", "endpoints").get(0), "port")).isEqualTo("http");
        assertThat(str(list(monitor, "spec", "endpoints").get(0), "path")).isEqualTo("/q/metrics");

        Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");
        Map<String, Object> podAnnotations = map(deployment, "spec", "template", "metadata", "annotations");
        switch (mesh) {
            case "istio" -> {
                assertThat(podLabels).containsEntry("sidecar.istio.io/inject", "true");
                assertThat(podAnnotations).doesNotContainKey("linkerd.io/inject").containsKey("proxy.istio.io/config");
                assertThat(kinds(objects)).contains("PeerAuthentication", "AuthorizationPolicy", "DestinationRule",
                        "VirtualService").doesNotContainAnyElementsOf(LINKERD_KINDS);
                assertThat(str(WorkloadChecks.only(objects, "PeerAuthentication"), "spec", "mtls", "mode"))
                        .isEqualTo("STRICT");
                MeshRoutes.checkIstio(objects, WorkloadChecks.NAME, service);
                MeshRoutes.checkIstioAuthorization(objects);
            }
            case "linkerd" -> {
                assertThat(podAnnotations).containsEntry("linkerd.io/inject", "enabled")
                        .containsKey("config.alpha.linkerd.io/proxy-wait-before-exit-seconds");
                assertThat(podLabels).doesNotContainKey("sidecar.istio.io/inject");
                assertThat(kinds(objects)).containsAll(LINKERD_KINDS).contains("AuthorizationPolicy")
                        .doesNotContain("PeerAuthentication", "VirtualService", "DestinationRule");
                WorkloadChecks.assertLinkerdServer(WorkloadChecks.only(objects, "Server"));
                MeshRoutes.checkLinkerd(objects, WorkloadChecks.NAME, service);
                MeshRoutes.checkLinkerdInbound(objects, WorkloadChecks.NAME + "-http");
            }
            default -> {
                assertThat(podLabels).doesNotContainKey("sidecar.istio.io/inject");
                assertThat(podAnnotations).doesNotContainKey("linkerd.io/inject");
                assertThat(kinds(objects)).doesNotContainAnyElementsOf(ISTIO_KINDS)
                        .doesNotContainAnyElementsOf(LINKERD_KINDS);
            }
        }

        DeployFiles.ValidatorRun run = DeployFiles.runValidator(List.of(out));
        System.out.println(run.output());
        assertThat(run.exitCode()).as("validate.mjs on %s:%n%s", out, run.output()).isZero();
        assertThat(run.output()).contains(objects.size() + " valid, 0 invalid");
    }

    @Test
    void secretIsRenderedOnlyFromSecretValuesAndNeverInTheConfigMap() {
        // No secret given: no Secret, no reference to one.
        List<Map<String, Object>> none = objects(render(values()));
        assertThat(kinds(none)).doesNotContain("Secret");
        assertThat(list(WorkloadChecks.container(WorkloadChecks.only(none, "Deployment")), "env")).isEmpty();

        // Secret values: a Secret with exactly the given keys, read by the pods; the ConfigMap holds none of them.
        String password = "pw-4c1d2e7f-never-in-a-configmap";
        String llmKey = "sk-test-5b9e0a31-never-in-a-configmap";
        List<Map<String, Object>> withValues = objects(render(values("secrets.values.DB_PASSWORD", password,
                "secrets.values.CHATBOT_LLM_API_KEY", llmKey, "extraEnv.CHATBOT_LLM_MAX_TOKENS", "2048")));
        Map<String, Object> secret = WorkloadChecks.only(withValues, "Secret");
        assertThat(map(secret, "data")).containsOnlyKeys("DB_PASSWORD", "CHATBOT_LLM_API_KEY");
        assertThat(new String(Base64.getDecoder().decode(str(secret, "data", "DB_PASSWORD")), StandardCharsets.UTF_8))
                .isEqualTo(password);
        Map<String, Object> config = WorkloadChecks.only(withValues, "ConfigMap");
        assertThat(map(config, "data")).doesNotContainKeys(WorkloadChecks.SECRET_KEYS.toArray(String[]::new))
                .containsEntry("CHATBOT_LLM_MAX_TOKENS", "2048");
        assertThat(config.toString()).doesNotContain(password, llmKey);
        List<Object> env = list(WorkloadChecks.container(WorkloadChecks.only(withValues, "Deployment")), "env");
        assertThat(env).extracting(e -> str(e, "name")).containsExactly("DB_PASSWORD", "CHATBOT_LLM_API_KEY");
        assertThat(env).allSatisfy(e -> assertThat(str(e, "valueFrom", "secretKeyRef", "name"))
                .isEqualTo(DeployFiles.name(secret)).isEqualTo(WorkloadChecks.NAME + "-secrets"));
        assertThat(DeployFiles.name(config)).isEqualTo(WorkloadChecks.NAME + "-config");

        // An existing Secret: not rendered, every key read from it, each optional.
        List<Map<String, Object>> existing = objects(render(values("secrets.existingSecret", "chatbot-secrets")));
        assertThat(kinds(existing)).doesNotContain("Secret");
        List<Object> refs = list(WorkloadChecks.container(WorkloadChecks.only(existing, "Deployment")), "env");
        assertThat(refs).extracting(e -> str(e, "name"))
                .containsExactlyElementsOf(WorkloadChecks.SECRET_KEYS);
        assertThat(refs).allSatisfy(e -> {
            assertThat(str(e, "valueFrom", "secretKeyRef", "name")).isEqualTo("chatbot-secrets");
            assertThat(get(e, "valueFrom", "secretKeyRef", "optional")).isEqualTo(true);
        });

        assertThatThrownBy(() -> render(values("secrets.existingSecret", "chatbot-secrets",
                "secrets.values.DB_PASSWORD", password))).hasMessageContaining("not both");
    }

    @Test
    void configMapCarriesTheNonSecretSettings() {
        List<Map<String, Object>> objects = objects(render(values("auth.mode", "none", "llm.baseUrl",
                "https://llm.example.com/v1", "tracing.enabled", "true", "tracing.otlpEndpoint",
                "http://collector.observability:4317", "hpa.minReplicas", "3")));
        assertThat(map(WorkloadChecks.only(objects, "ConfigMap"), "data"))
                .containsEntry("CHATBOT_AUTH_MODE", "none")
                .containsEntry("CHATBOT_LLM_BASE_URL", "https://llm.example.com/v1")
                .containsEntry("QUARKUS_OTEL_SDK_DISABLED", "false")
                .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.observability:4317")
                .containsEntry("CHATBOT_RATE_LIMIT_REPLICAS", "3")
                .containsKeys("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "CHATBOT_LLM_MODEL", "MP_JWT_VERIFY_AUDIENCES");
        // Tracing on: the NetworkPolicy lets the pods reach the collector.
        assertThat(WorkloadChecks.only(objects, "NetworkPolicy").toString()).contains("port=4317");
    }

    @Test
    void theKafkaTransportSetsItsClientsTopicsSecretAndEgress() {
        List<Map<String, Object>> redis = objects(render(values()));
        assertThat(map(WorkloadChecks.only(redis, "ConfigMap"), "data"))
                .doesNotContainKeys("CHATBOT_EVENTS_TRANSPORT", "KAFKA_BOOTSTRAP_SERVERS");
        assertThat(WorkloadChecks.only(redis, "NetworkPolicy").toString()).doesNotContain("port=9092");

        List<Map<String, Object>> kafka = objects(render(values("events.transport", "kafka",
                "events.kafka.bootstrapServers", "kafka-0.kafka:9093", "events.kafka.securityProtocol", "SASL_SSL",
                "events.kafka.saslMechanism", "SCRAM-SHA-512", "secrets.existingSecret", "chatbot-secrets")));
        assertThat(map(WorkloadChecks.only(kafka, "ConfigMap"), "data"))
                .containsEntry("CHATBOT_EVENTS_TRANSPORT", "kafka")
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9093")
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("CHATBOT_EVENTS_TOPIC", "chatbot.events")
                .containsEntry("CHATBOT_COMMANDS_TOPIC", "chatbot.commands")
                .containsEntry("CHATBOT_COMMANDS_DEAD_LETTER_TOPIC", "chatbot.dead-letter")
                .doesNotContainKey("KAFKA_SASL_JAAS_CONFIG");
        assertThat(list(WorkloadChecks.container(WorkloadChecks.only(kafka, "Deployment")), "env"))
                .extracting(e -> str(e, "name")).contains("KAFKA_SASL_JAAS_CONFIG");
        assertThat(WorkloadChecks.only(kafka, "NetworkPolicy").toString()).contains("port=9092");

        assertThatThrownBy(() -> render(values("events.transport", "nats"))).hasMessageContaining("/events/transport");
        assertThatThrownBy(() -> render(values("extraEnv.KAFKA_SASL_JAAS_CONFIG", "in-plain-sight")))
                .hasMessageContaining("invalid propertyName 'KAFKA_SASL_JAAS_CONFIG'");
    }

    @Test
    void schemaRefusesInvalidValues() {
        assertThatThrownBy(() -> render(values("mesh", "foo"))).hasMessageContaining("/mesh")
                .hasMessageContaining("istio");
        assertThatThrownBy(() -> render(values("auth.mode", "bar"))).hasMessageContaining("/auth/mode")
                .hasMessageContaining("jwt");
        assertThatThrownBy(() -> render(values("terminationGracePeriodSeconds", "30")))
                .hasMessageContaining("/terminationGracePeriodSeconds");
        assertThatThrownBy(() -> render(values("extraEnv.DB_PASSWORD", "in-plain-sight")))
                .hasMessageContaining("invalid propertyName 'DB_PASSWORD'");
        assertThatThrownBy(() -> render(values("routes.retries.istioRetryOn", "5xx")))
                .hasMessageContaining("/routes/retries/istioRetryOn");
        assertThatThrownBy(() -> render(values("unknownKey", "x"))).hasMessageContaining("unknownKey");
    }

    @Test
    void istioRequestAuthenticationIsOptional() {
        assertThat(kinds(objects(render(values("mesh", "istio"))))).doesNotContain("RequestAuthentication");
        List<Map<String, Object>> objects = objects(render(values("mesh", "istio",
                "istio.requestAuthentication.enabled", "true",
                "istio.requestAuthentication.issuer", "https://issuer.example.com",
                "istio.requestAuthentication.jwksUri", "https://issuer.example.com/.well-known/jwks.json")));
        Map<String, Object> ra = WorkloadChecks.only(objects, "RequestAuthentication");
        assertThat(get(list(ra, "spec", "jwtRules").get(0), "forwardOriginalToken")).isEqualTo(true);
        assertThat(kind(ra)).isEqualTo("RequestAuthentication");
    }
}
