package io.microchatbot.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.microchatbot.deploy.DeployFiles.get;
import static io.microchatbot.deploy.DeployFiles.kind;
import static io.microchatbot.deploy.DeployFiles.list;
import static io.microchatbot.deploy.DeployFiles.map;
import static io.microchatbot.deploy.DeployFiles.str;
import static org.assertj.core.api.Assertions.assertThat;

/** What every rendering of the workload must keep: probes, the port, graceful stop, a locked-down pod. */
final class WorkloadChecks {

    static final String NAME = "micro-chatbot-service";
    static final List<String> SECRET_KEYS = List.of("DB_PASSWORD", "REDIS_URL", "CHATBOT_LLM_API_KEY",
            "CHATBOT_CURSOR_SECRET");

    private WorkloadChecks() {
    }

    static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
        List<Map<String, Object>> found = objects.stream().filter(o -> kind.equals(kind(o))).toList();
        assertThat(found).as("exactly one %s", kind).hasSize(1);
        return found.get(0);
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        List<Object> containers = list(deployment, "spec", "template", "spec", "containers");
        assertThat(containers).as("one container (sidecars are injected by the mesh)").hasSize(1);
        return map(containers.get(0));
    }

    static void assertDeployment(Map<String, Object> deployment, ServiceTimeouts service) {
        assertThat(DeployFiles.name(deployment)).isEqualTo(NAME);
        // A selector that holds the version would change with every release and break rolling updates.
        assertThat(map(deployment, "spec", "selector", "matchLabels")).containsKey("app.kubernetes.io/name")
                .doesNotContainKey("app.kubernetes.io/version");
        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        Map<String, Object> c = container(deployment);

        List<Object> ports = list(c, "ports");
        assertThat(ports).as("one port, 8080 named http").hasSize(1);
        assertThat(str(ports.get(0), "name")).isEqualTo("http");
        assertThat(get(ports.get(0), "containerPort")).isEqualTo(8080);

        assertThat(str(c, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
        assertThat(str(c, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
        assertThat(str(c, "startupProbe", "httpGet", "path")).isEqualTo("/q/health/started");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(str(c, probe, "httpGet", "port")).as(probe + " port").isEqualTo("http");
        }
        assertThat(((Number) get(c, "readinessProbe", "timeoutSeconds")).intValue())
                .isLessThan(((Number) get(c, "readinessProbe", "periodSeconds")).intValue());

        // Settings from the ConfigMap; secrets only by reference to a Secret, never by value.
        assertThat(list(c, "envFrom")).anySatisfy(e -> assertThat(str(e, "configMapRef", "name")).isEqualTo(NAME + "-config"));
        assertThat(list(c, "env")).filteredOn(e -> SECRET_KEYS.contains(str(e, "name"))
                || str(e, "name").matches("(?i).*(password|secret|api_key).*"))
                .allSatisfy(e -> {
                    assertThat(get(e, "value")).as("%s given by value", str(e, "name")).isNull();
                    assertThat(str(e, "valueFrom", "secretKeyRef", "name")).isNotBlank();
                });

        int grace = ((Number) pod.get("terminationGracePeriodSeconds")).intValue();
        assertThat(grace).as("terminationGracePeriodSeconds").isGreaterThanOrEqualTo(40)
                .isGreaterThanOrEqualTo((int) service.shutdownTotal().toSeconds()).isEqualTo(45);

        assertThat(get(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(((Number) get(pod, "securityContext", "runAsUser")).intValue()).isIn(185, 1001);
        assertThat(str(pod, "securityContext", "seccompProfile", "type")).isEqualTo("RuntimeDefault");
        assertThat(get(c, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(get(c, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(list(c, "securityContext", "capabilities", "drop")).containsExactly("ALL");
        assertThat(list(c, "volumeMounts")).anySatisfy(m -> assertThat(str(m, "mountPath")).isEqualTo("/tmp"));
        assertThat(list(pod, "volumes")).anySatisfy(v -> assertThat(get(v, "emptyDir")).isNotNull());

        assertThat(str(c, "resources", "requests", "cpu")).isEqualTo("250m");
        assertThat(str(c, "resources", "requests", "memory")).isEqualTo("512Mi");
        assertThat(str(c, "resources", "limits", "memory")).isEqualTo("768Mi");

        Map<String, Object> annotations = map(deployment, "spec", "template", "metadata", "annotations");
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8080")
                .containsEntry("prometheus.io/path", "/q/metrics");
        // A sidecar that leaves before the service has drained cuts its streams and its last database writes.
        String istio = (String) annotations.get("proxy.istio.io/config");
        if (istio != null) {
            Matcher m = Pattern.compile("terminationDrainDuration:\\s*(\\S+)").matcher(istio);
            assertThat(m.find()).as("terminationDrainDuration in proxy.istio.io/config").isTrue();
            Duration drain = ServiceTimeouts.parseDuration(m.group(1));
            assertThat(drain).isGreaterThanOrEqualTo(service.shutdownTotal())
                    .isLessThan(Duration.ofSeconds(grace));
        }
        Object linkerdWait = annotations.get("config.alpha.linkerd.io/proxy-wait-before-exit-seconds");
        if (linkerdWait != null) {
            long wait = Long.parseLong(linkerdWait.toString());
            assertThat(wait).isGreaterThanOrEqualTo(service.shutdownTotal().toSeconds()).isLessThan(grace);
        }
    }

    /**
     * One port for REST and gRPC. Its appProtocol: kubernetes.io/h2c (HTTP/2 to the pod) for Istio and no mesh; none
     * for Linkerd, which then detects each connection's protocol ("http" would be HTTP/1 only, kubernetes.io/h2c HTTP/2
     * only at the caller's proxy). Istio reads appProtocol before the port name, which alone ("http") means HTTP/1.1.
     */
    static void assertService(Map<String, Object> service, String mesh) {
        assertThat(DeployFiles.name(service)).isEqualTo(NAME);
        List<Object> ports = list(service, "spec", "ports");
        assertThat(ports).hasSize(1);
        assertThat(get(ports.get(0), "port")).isEqualTo(80);
        assertThat(str(ports.get(0), "targetPort")).isEqualTo("http");
        assertThat(str(ports.get(0), "name")).isEqualTo("http");
        assertThat(str(ports.get(0), "appProtocol")).as("appProtocol of the Service port (mesh %s)", mesh)
                .isEqualTo("linkerd".equals(mesh) ? null : "kubernetes.io/h2c");
        assertThat(map(service, "metadata", "labels")).containsEntry("app.kubernetes.io/name", NAME);
    }

    /** The Linkerd Server detects the protocol: the port carries HTTP/1.1 (REST, probes, metrics) and gRPC. */
    static void assertLinkerdServer(Map<String, Object> server) {
        assertThat(str(server, "spec", "port")).isEqualTo("http");
        assertThat(str(server, "spec", "proxyProtocol")).isEqualTo("unknown");
        assertThat(str(server, "spec", "accessPolicy")).isEqualTo("deny");
    }

    static void assertHpa(Map<String, Object> hpa) {
        List<Object> metrics = list(hpa, "spec", "metrics");
        assertThat(metrics).anySatisfy(m -> {
            assertThat(str(m, "type")).isEqualTo("Resource");
            assertThat(str(m, "resource", "name")).isEqualTo("cpu");
        });
        assertThat(metrics).anySatisfy(m -> {
            assertThat(str(m, "type")).isEqualTo("Pods");
            assertThat(str(m, "pods", "metric", "name")).isEqualTo("chatbot_streams_active");
        });
    }

    /** Ingress on 8080; egress to DNS (53 UDP and TCP), PostgreSQL, Redis, HTTPS and nothing else but the mesh. */
    static void assertNetworkPolicy(Map<String, Object> np) {
        assertThat(list(np, "spec", "policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(list(np, "spec", "ingress")).anySatisfy(rule -> assertThat(list(rule, "ports"))
                .anySatisfy(p -> assertThat(get(p, "port")).isEqualTo(8080)));
        List<String> egress = list(np, "spec", "egress").stream()
                .flatMap(rule -> list(rule, "ports").stream())
                .map(p -> get(p, "port") + "/" + str(p, "protocol"))
                .toList();
        assertThat(egress).contains("53/UDP", "53/TCP", "5432/TCP", "6379/TCP", "443/TCP");
        // Besides: webhook endpoints on plain http (80), the mesh control planes (istiod 15012, Linkerd
        // 8080/8086/8090), an OTLP collector (4317) when tracing.
        assertThat(egress).allMatch(p -> List.of("53/UDP", "53/TCP", "5432/TCP", "6379/TCP", "443/TCP", "80/TCP",
                "15012/TCP", "8080/TCP", "8086/TCP", "8090/TCP", "4317/TCP").contains(p), "egress ports " + egress);
    }
}
