package io.microchatbot.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microchatbot.deploy.DeployFiles.KUBERNETES;
import static io.microchatbot.deploy.DeployFiles.kind;
import static io.microchatbot.deploy.DeployFiles.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The plain manifests under kubernetes/ (rendered from the chart, {@link RenderedManifestsTest}): they parse, pass the
 * offline validator (kubernetes/validate), and their timeouts and retries agree with the service's own configuration.
 * Plain JUnit: no Quarkus, no database.
 */
class KubernetesYamlTest {

    /** promtool's rule unit tests: YAML, but not Kubernetes objects. */
    private static final Path PROMTOOL_TESTS = KUBERNETES.resolve("monitoring/tests");

    private static List<Path> manifests() {
        return DeployFiles.yamlFiles(KUBERNETES).stream().filter(p -> !p.startsWith(PROMTOOL_TESTS))
                .filter(p -> !p.equals(PlainManifests.VALUES)) // Helm values, not Kubernetes objects
                .toList();
    }

    private static List<Map<String, Object>> objectsOf(String... dirs) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String dir : dirs) {
            DeployFiles.yamlFiles(KUBERNETES.resolve(dir))
                    .forEach(f -> objects.addAll(DeployFiles.objects(DeployFiles.loadAll(f))));
        }
        return objects;
    }

    @Test
    void everyYamlFileUnderKubernetesParses() {
        List<Path> files = DeployFiles.yamlFiles(KUBERNETES);
        assertThat(files).hasSizeGreaterThan(15);
        for (Path f : files) {
            assertThatCode(() -> assertThat(DeployFiles.loadAll(f)).as("documents in %s", f).isNotEmpty())
                    .as(f.toString()).doesNotThrowAnyException();
        }
        for (Path f : manifests()) {
            List<Object> docs = DeployFiles.loadAll(f);
            assertThat(DeployFiles.objects(docs)).as("every document of %s is a Kubernetes object", f)
                    .hasSameSizeAs(docs)
                    .allSatisfy(o -> assertThat(name(o)).as("metadata.name in %s", f).isNotBlank());
        }
    }

    @Test
    void manifestsPassTheOfflineValidator() {
        DeployFiles.ValidatorRun run = DeployFiles.runValidator(manifests());
        System.out.println(run.output());
        assertThat(run.exitCode()).as("validate.mjs exit status; its output:%n%s", run.output()).isZero();
        assertThat(run.output())
                .contains("v1 Service micro-chatbot-service (schema: kubernetes-models)")
                .contains("networking.istio.io/v1 VirtualService micro-chatbot-service (schema: @kubernetes-models/istio)")
                .contains("Server micro-chatbot-service-http (checked by hand-written rules")
                .contains("ServiceMonitor micro-chatbot-service (schema: @kubernetes-models/prometheus-operator)")
                .doesNotContain("INVALID");
    }

    @Test
    void validatorRefusesInvalidAndUnknownObjects() throws IOException {
        Path bad = Files.createDirectories(DeployFiles.ROOT.resolve("target/validate")).resolve("invalid.yaml");
        Files.writeString(bad, """
                apiVersion: policy.linkerd.io/v1beta3
                kind: Server
                metadata: {name: bad-server}
                spec: {port: 8080, proxyProtocol: HTTP/3, podSelector: {matchLabels: {a: b}}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: bad-deployment}
                spec: {selector: {}, template: {spec: {containers: [{name: c, ports: [{containerPort: "8080"}]}]}}}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: unknown}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: bad-grpc-route, annotations: {retry.linkerd.io/http: "503"}}
                spec: {parentRefs: [{group: core, kind: Service, name: svc, port: 80}]}
                """);
        DeployFiles.ValidatorRun run = DeployFiles.runValidator(List.of(bad));
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("proxyProtocol must be one of", "containerPort must be integer",
                "unknown kind", "retry.linkerd.io/http is not valid on a GRPCRoute", "4 invalid");
    }

    @Test
    void meshTimeoutsAndRetriesAgreeWithTheServiceTimeouts() {
        ServiceTimeouts service = ServiceTimeouts.read();
        // What the files below were written for (README.md, "Configuration"); a change there must be looked at.
        assertThat(service.streamMaxDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(service.llmTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(service.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(service.longestTurn()).isEqualTo(Duration.ofSeconds(330));

        MeshRoutes.checkIstio(objectsOf("istio"), WorkloadChecks.NAME, service);
        MeshRoutes.checkLinkerd(objectsOf("linkerd"), WorkloadChecks.NAME, service);
    }

    @Test
    void grpcIsAuthorizedLikeTheRestApi() {
        MeshRoutes.checkIstioAuthorization(objectsOf("istio"));
        MeshRoutes.checkLinkerdInbound(objectsOf("linkerd"), WorkloadChecks.NAME + "-http");
    }

    @ParameterizedTest
    @ValueSource(strings = { "none", "istio", "linkerd" })
    void workloadKeepsProbesPortAndGracefulStop(String mesh) {
        ServiceTimeouts service = ServiceTimeouts.read();
        List<Map<String, Object>> objects = objectsOf(mesh);
        Map<String, Object> deployment = WorkloadChecks.only(objects, "Deployment");
        WorkloadChecks.assertDeployment(deployment, service);
        WorkloadChecks.assertService(WorkloadChecks.only(objects, "Service"), mesh);
        if ("linkerd".equals(mesh)) {
            WorkloadChecks.assertLinkerdServer(WorkloadChecks.only(objects, "Server"));
        }
        WorkloadChecks.assertHpa(WorkloadChecks.only(objects, "HorizontalPodAutoscaler"));
        WorkloadChecks.assertNetworkPolicy(WorkloadChecks.only(objects, "NetworkPolicy"));
        assertThat(WorkloadChecks.only(objects, "PodDisruptionBudget")).isNotNull();
        Map<String, Object> config = WorkloadChecks.only(objects, "ConfigMap");
        assertThat(DeployFiles.map(config, "data")).doesNotContainKeys(WorkloadChecks.SECRET_KEYS.toArray(String[]::new));
        assertThat(objects).as("no Secret with values in the repository").noneMatch(o -> "Secret".equals(kind(o)));
        // Every secret is read from the Secret the operator creates (kubernetes/README.md, "Secrets").
        assertThat(DeployFiles.list(WorkloadChecks.container(deployment), "env"))
                .extracting(e -> DeployFiles.str(e, "name"), e -> DeployFiles.str(e, "valueFrom", "secretKeyRef", "name"))
                .containsExactlyElementsOf(WorkloadChecks.SECRET_KEYS.stream()
                        .map(key -> tuple(key, WorkloadChecks.NAME + "-secrets")).toList());
        // The ServiceMonitor is kubernetes/monitoring/servicemonitor.yaml, not a copy.
        assertThat(objectsOf(PlainManifests.MESHES.toArray(String[]::new)))
                .noneMatch(o -> "ServiceMonitor".equals(kind(o)));
    }

    @Test
    void istioPolicyIsStrictAndNamesItsCallers() {
        List<Map<String, Object>> istio = objectsOf("istio");
        assertThat(DeployFiles.str(WorkloadChecks.only(istio, "PeerAuthentication"), "spec", "mtls", "mode"))
                .isEqualTo("STRICT");
        List<Map<String, Object>> policies = istio.stream().filter(o -> "AuthorizationPolicy".equals(kind(o))).toList();
        assertThat(policies).anySatisfy(p -> {
            assertThat(DeployFiles.str(p, "spec", "action")).isEqualTo("DENY");
            assertThat(p.toString()).contains("/api/v1/admin/*", "notPrincipals");
        });
        assertThat(policies).anySatisfy(p -> {
            assertThat(DeployFiles.str(p, "spec", "action")).isEqualTo("ALLOW");
            assertThat(p.toString()).contains("principals", "/q/metrics");
        });
    }
}
