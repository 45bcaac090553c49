package io.microchatbot.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.microchatbot.deploy.DeployFiles.get;
import static io.microchatbot.deploy.DeployFiles.kind;
import static io.microchatbot.deploy.DeployFiles.list;
import static io.microchatbot.deploy.DeployFiles.map;
import static io.microchatbot.deploy.DeployFiles.name;
import static io.microchatbot.deploy.DeployFiles.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sends sample requests through the mesh routes as Istio and Linkerd would pick them, and checks that the timeout and
 * retries each request gets agree with the service's own limits ({@link ServiceTimeouts}).
 *
 * <p>
 * Istio: the first matching route of the VirtualService wins. Linkerd: among all HTTPRoutes whose parent is the
 * Service, the match with the longest path match wins (a regular expression counts the whole path), then one with a
 * method, then the one with most headers (linkerd2-proxy's route matching).
 *
 * <p>
 * gRPC calls share the port: they are POSTs to /microchatbot.v1.ChatService/&lt;Method&gt; (h2c), matched by the
 * same routes. They are retried only on conditions where the call did not run (UNAVAILABLE, connection failures),
 * never on RESOURCE_EXHAUSTED, ABORTED, DEADLINE_EXCEEDED or INTERNAL: the service sends RetryInfo for those.
 */
final class MeshRoutes {

    /** Reads and writes that do not call the LLM: a few database round trips. The service has no bound of its own. */
    static final Duration NON_TURN_MIN_TIMEOUT = Duration.ofSeconds(10);
    /** Retries at most this many times (the request then ran up to 3 times). */
    static final int MAX_RETRIES = 2;
    /** Conditions under which the request did not reach the service, or the service refused it before any work. */
    static final Set<String> ISTIO_SAFE_RETRY_ON = Set.of("connect-failure", "refused-stream", "unavailable",
            "cancelled", "503");
    /** 503: a stopping pod's 503 shutting_down, an overloaded pod's 503 llm_overloaded (refused before the LLM). */
    static final Set<String> LINKERD_SAFE_RETRY_STATUSES = Set.of("503");
    /**
     * gRPC: UNAVAILABLE (shutting_down, database_unavailable, llm_unavailable: refused before anything ran) and the
     * call not reaching the service. Not cancelled, resource-exhausted, deadline-exceeded or internal.
     */
    static final Set<String> ISTIO_SAFE_GRPC_RETRY_ON = Set.of("connect-failure", "refused-stream",
            "reset-before-request", "unavailable");
    static final String GRPC_SERVICE = "/microchatbot.v1.ChatService/";

    enum Expect {
        /** A turn without Idempotency-Key: running it twice stores and pays twice. */
        TURN_NO_RETRY,
        /** A turn with Idempotency-Key: a retry gets the recorded answer. */
        TURN_MAY_RETRY,
        /** A unary gRPC turn (SendMessage): a JSON turn, no stream. */
        UNARY_TURN_NO_RETRY,
        /** SendMessage with idempotency-key metadata. */
        UNARY_TURN_MAY_RETRY,
        /**
         * Following a turn (GET …/turns/{current|messageId}/events): a read, so it may be retried (the caller resends
         * its Last-Event-ID), but it stays open as long as the streamed turn it follows.
         */
        FOLLOW_MAY_RETRY,
        /**
         * Cancelling a turn (REST POST …/turns/{messageId}/cancel, gRPC CancelTurn): not a turn, but it waits up to
         * chatbot.turn.cancel-wait for the reply to be stored. A repeated cancel answers 409 turn_not_running: not
         * retried, as other POSTs without a recorded Idempotency-Key.
         */
        CANCEL_NO_RETRY,
        /** Idempotent method, or opening a conversation with an Idempotency-Key. */
        MAY_RETRY,
        /** Anything else: never retried. */
        NO_RETRY
    }

    record Request(String description, String method, String path, Map<String, String> headers, Expect expect) {

        boolean grpc() {
            return String.valueOf(header(this, "content-type")).startsWith("application/grpc");
        }
    }

    record Policy(String route, Duration timeout, int retries, Duration perTryTimeout, Set<String> retryOn) {
    }

    private static final String TURN_PATH = "/api/v1/conversations/6f1c9a3e-2b7d-4c55-9a51-0d3f6f0c8b21/messages";
    private static final String TURNS_PATH = "/api/v1/conversations/6f1c9a3e-2b7d-4c55-9a51-0d3f6f0c8b21/turns";
    private static final String TURN_MESSAGE_ID = "0b7c1e52-5f5e-4a77-8a4b-1f2d3c4b5a69";
    private static final Map<String, String> FOLLOW = Map.of("Accept", "text/event-stream", "Last-Event-ID", "17");
    private static final Map<String, String> KEY = Map.of("Idempotency-Key", "6f1d0a52-7f0e-4c4e-9a55-1c0c7d3f2b11");
    private static final Map<String, String> GRPC = Map.of("content-type", "application/grpc", "te", "trailers");
    private static final Map<String, String> GRPC_KEY = Map.of("content-type", "application/grpc", "te", "trailers",
            "idempotency-key", "6f1d0a52-7f0e-4c4e-9a55-1c0c7d3f2b11");

    /** A gRPC call: POST /&lt;service&gt;/&lt;method&gt; over HTTP/2, with its metadata as headers. */
    private static Request grpc(String description, String path, Map<String, String> metadata, Expect expect) {
        return new Request("gRPC " + description, "POST", path, metadata, expect);
    }

    static final List<Request> SAMPLES = List.of(
            new Request("JSON turn", "POST", TURN_PATH, Map.of(), Expect.TURN_NO_RETRY),
            new Request("streamed turn", "POST", TURN_PATH, Map.of("Accept", "text/event-stream"), Expect.TURN_NO_RETRY),
            new Request("turn with Idempotency-Key", "POST", TURN_PATH, KEY, Expect.TURN_MAY_RETRY),
            new Request("open a conversation", "POST", "/api/v1/conversations", Map.of(), Expect.NO_RETRY),
            new Request("open a conversation with Idempotency-Key", "POST", "/api/v1/conversations", KEY,
                    Expect.MAY_RETRY),
            new Request("list conversations", "GET", "/api/v1/conversations", Map.of(), Expect.MAY_RETRY),
            new Request("list messages", "GET", TURN_PATH, Map.of(), Expect.MAY_RETRY),
            new Request("read a message", "GET", TURN_PATH + "/0b7c1e52-5f5e-4a77-8a4b-1f2d3c4b5a69", Map.of(),
                    Expect.MAY_RETRY),
            new Request("head a conversation", "HEAD", "/api/v1/conversations/6f1c9a3e", Map.of(), Expect.MAY_RETRY),
            new Request("delete a conversation", "DELETE", "/api/v1/conversations/6f1c9a3e", Map.of(),
                    Expect.MAY_RETRY),
            new Request("change a conversation", "PATCH", "/api/v1/conversations/6f1c9a3e", Map.of(), Expect.NO_RETRY),
            new Request("change a conversation with Idempotency-Key (not recorded there)", "PATCH",
                    "/api/v1/conversations/6f1c9a3e", KEY, Expect.NO_RETRY),
            new Request("create an API key", "POST", "/api/v1/admin/api-keys", Map.of(), Expect.NO_RETRY),
            new Request("rotate an API key with Idempotency-Key (not recorded there)", "POST",
                    "/api/v1/admin/api-keys/k1/rotate", KEY, Expect.NO_RETRY),
            new Request("follow the current turn", "GET", TURNS_PATH + "/current/events", FOLLOW,
                    Expect.FOLLOW_MAY_RETRY),
            new Request("follow the current turn from its start", "GET", TURNS_PATH + "/current/events",
                    Map.of("Accept", "text/event-stream"), Expect.FOLLOW_MAY_RETRY),
            new Request("follow a turn", "GET", TURNS_PATH + "/" + TURN_MESSAGE_ID + "/events", FOLLOW,
                    Expect.FOLLOW_MAY_RETRY),
            new Request("cancel a turn", "POST", TURNS_PATH + "/" + TURN_MESSAGE_ID + "/cancel", Map.of(),
                    Expect.CANCEL_NO_RETRY),
            new Request("cancel a turn with Idempotency-Key (not recorded there)", "POST",
                    TURNS_PATH + "/" + TURN_MESSAGE_ID + "/cancel", KEY, Expect.CANCEL_NO_RETRY),
            new Request("metrics", "GET", "/q/metrics", Map.of(), Expect.MAY_RETRY),
            new Request("OPTIONS", "OPTIONS", "/api/v1/conversations", Map.of(), Expect.NO_RETRY),
            grpc("streamed turn", GRPC_SERVICE + "SendMessageStream", GRPC, Expect.TURN_NO_RETRY),
            grpc("streamed turn with idempotency-key", GRPC_SERVICE + "SendMessageStream", GRPC_KEY,
                    Expect.TURN_MAY_RETRY),
            grpc("unary turn", GRPC_SERVICE + "SendMessage", GRPC, Expect.UNARY_TURN_NO_RETRY),
            grpc("unary turn with idempotency-key", GRPC_SERVICE + "SendMessage", GRPC_KEY,
                    Expect.UNARY_TURN_MAY_RETRY),
            grpc("open a conversation", GRPC_SERVICE + "CreateConversation", GRPC, Expect.NO_RETRY),
            grpc("open a conversation with idempotency-key", GRPC_SERVICE + "CreateConversation", GRPC_KEY,
                    Expect.MAY_RETRY),
            grpc("read a conversation", GRPC_SERVICE + "GetConversation", GRPC, Expect.MAY_RETRY),
            grpc("list conversations", GRPC_SERVICE + "ListConversations", GRPC, Expect.MAY_RETRY),
            grpc("delete a conversation", GRPC_SERVICE + "DeleteConversation", GRPC, Expect.MAY_RETRY),
            grpc("list messages", GRPC_SERVICE + "ListMessages", GRPC, Expect.MAY_RETRY),
            grpc("read a message", GRPC_SERVICE + "GetMessage", GRPC, Expect.MAY_RETRY),
            grpc("cancel a turn", GRPC_SERVICE + "CancelTurn", GRPC, Expect.CANCEL_NO_RETRY),
            grpc("cancel a turn with idempotency-key (not recorded there)", GRPC_SERVICE + "CancelTurn", GRPC_KEY,
                    Expect.CANCEL_NO_RETRY),
            grpc("change a conversation, with idempotency-key (not recorded there; not retried, as REST's PATCH)",
                    GRPC_SERVICE + "UpdateConversation", GRPC_KEY, Expect.NO_RETRY),
            grpc("health check", "/grpc.health.v1.Health/Check", GRPC, Expect.MAY_RETRY),
            grpc("health watch", "/grpc.health.v1.Health/Watch", GRPC, Expect.MAY_RETRY),
            grpc("server reflection", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", GRPC,
                    Expect.MAY_RETRY),
            grpc("server reflection (v1alpha)", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    GRPC, Expect.MAY_RETRY));

    /**
     * gRPC calls and the calls on a conversation's turns among the samples, and the REST call whose authorization
     * they must share.
     */
    static final List<Request> CALLER_SAMPLES = SAMPLES.stream()
            .filter(r -> r.grpc() || r.path().startsWith(TURNS_PATH + "/")).toList();
    static final Request API_SAMPLE = new Request("list conversations", "GET", "/api/v1/conversations", Map.of(),
            Expect.MAY_RETRY);

    private MeshRoutes() {
    }

    // --- checks ----------------------------------------------------------------------------------------------

    /** Checks the Istio VirtualService for {@code host} among some objects against the service's limits. */
    static void checkIstio(List<Map<String, Object>> objects, String host, ServiceTimeouts service) {
        List<Map<String, Object>> services = objects.stream()
                .filter(o -> "VirtualService".equals(kind(o)) && list(o, "spec", "hosts").contains(host))
                .toList();
        assertThat(services).as("one Istio VirtualService for host %s", host).hasSize(1);
        Map<String, Object> vs = services.get(0);
        List<String> failures = new ArrayList<>();
        for (Request r : SAMPLES) {
            Policy p = istioPolicy(vs, r);
            check("Istio", r, p, service, failures);
            if (p.retries() > 0 && r.grpc()) {
                if (!ISTIO_SAFE_GRPC_RETRY_ON.containsAll(p.retryOn())) {
                    failures.add("Istio " + p.route() + " for " + r.description() + ": retryOn " + p.retryOn()
                            + " beyond " + ISTIO_SAFE_GRPC_RETRY_ON + " (never resource-exhausted, deadline-exceeded,"
                            + " internal, cancelled or 5xx: the call may have run, or the service said when to retry)");
                }
                if (!p.retryOn().contains("unavailable")) {
                    failures.add("Istio " + p.route() + " for " + r.description() + ": retried, but not on"
                            + " unavailable (a stopping pod's shutting_down), retryOn " + p.retryOn());
                }
            } else if (p.retries() > 0 && !ISTIO_SAFE_RETRY_ON.containsAll(p.retryOn())) {
                failures.add("Istio " + p.route() + ": retryOn " + p.retryOn() + " beyond " + ISTIO_SAFE_RETRY_ON
                        + " (never 5xx/gateway-error/reset: the LLM may already have been called)");
            }
        }
        assertThat(failures).as("Istio routes against the service's limits").isEmpty();
    }

    /** Checks the Linkerd outbound HTTPRoutes of Service {@code serviceName} against the service's limits. */
    static void checkLinkerd(List<Map<String, Object>> objects, String serviceName, ServiceTimeouts service) {
        assertThat(objects).as("no ServiceProfile: it would override the HTTPRoute timeouts and retries")
                .noneMatch(o -> "ServiceProfile".equals(kind(o)));
        // A GRPCRoute on the Service port turns Linkerd's outbound policy for the whole port into gRPC: served as
        // HTTP/2 only (REST HTTP/1.1 callers fail) and routed by the GRPCRoutes alone (the HTTPRoutes ignored).
        assertThat(objects).as("no GRPCRoute with the Service %s as parent: REST shares its port", serviceName)
                .noneMatch(o -> "GRPCRoute".equals(kind(o)) && list(o, "spec", "parentRefs").stream()
                        .anyMatch(p -> "Service".equals(str(p, "kind")) && serviceName.equals(str(p, "name"))));
        List<Map<String, Object>> routes = objects.stream()
                .filter(o -> "HTTPRoute".equals(kind(o)))
                .filter(o -> list(o, "spec", "parentRefs").stream()
                        .anyMatch(p -> "Service".equals(str(p, "kind")) && serviceName.equals(str(p, "name"))))
                .toList();
        assertThat(routes).as("Linkerd outbound HTTPRoutes of Service %s", serviceName).isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (Request r : SAMPLES) {
            Policy p = linkerdPolicy(routes, r);
            check("Linkerd", r, p, service, failures);
            if (p.retries() > 0 && !LINKERD_SAFE_RETRY_STATUSES.containsAll(p.retryOn())) {
                failures.add("Linkerd " + p.route() + ": retried statuses " + p.retryOn() + " beyond "
                        + LINKERD_SAFE_RETRY_STATUSES);
            }
        }
        assertThat(failures).as("Linkerd routes against the service's limits").isEmpty();
    }

    /**
     * Istio AuthorizationPolicies: every gRPC sample and every call on a turn (follow, cancel) is allowed to exactly
     * the principals allowed the REST API (GET /api/v1/conversations), and no DENY rule (the admin-only one) covers
     * it.
     */
    static void checkIstioAuthorization(List<Map<String, Object>> objects) {
        List<Map<String, Object>> policies = objects.stream().filter(o -> "AuthorizationPolicy".equals(kind(o)))
                .filter(o -> str(o, "apiVersion").startsWith("security.istio.io/")).toList();
        Set<String> api = istioPrincipals(policies, "ALLOW", API_SAMPLE);
        assertThat(api).as("principals allowed %s", API_SAMPLE.path()).isNotEmpty();
        for (Request r : CALLER_SAMPLES) {
            assertThat(istioPrincipals(policies, "ALLOW", r)).as("principals allowed %s (%s)", r.path(),
                    r.description()).isEqualTo(api);
            assertThat(istioPrincipals(policies, "DENY", r)).as("DENY rules covering %s", r.path()).isEmpty();
        }
    }

    /** The principals (or "*" for a rule without from) of the rules of some action whose operations match r. */
    private static Set<String> istioPrincipals(List<Map<String, Object>> policies, String action, Request r) {
        Set<String> principals = new TreeSet<>();
        for (Map<String, Object> policy : policies) {
            String policyAction = str(policy, "spec", "action") == null ? "ALLOW" : str(policy, "spec", "action");
            if (!action.equals(policyAction)) {
                continue;
            }
            for (Object rule : list(policy, "spec", "rules")) {
                List<Object> to = list(rule, "to");
                boolean matches = to.isEmpty() || to.stream().anyMatch(t -> istioOperation(map(t, "operation"), r));
                if (!matches) {
                    continue;
                }
                List<Object> from = list(rule, "from");
                if (from.isEmpty()) {
                    principals.add("*");
                }
                for (Object f : from) {
                    List<Object> source = list(f, "source", "principals");
                    List<Object> notSource = list(f, "source", "notPrincipals");
                    source.forEach(x -> principals.add(x.toString()));
                    notSource.forEach(x -> principals.add("not " + x));
                }
            }
        }
        return principals;
    }

    private static boolean istioOperation(Map<String, Object> operation, Request r) {
        for (String key : operation.keySet()) {
            if (!Set.of("paths", "methods").contains(key)) {
                fail("MeshRoutes cannot judge Istio operation field '" + key + "': extend it");
            }
        }
        List<Object> paths = list(operation, "paths");
        List<Object> methods = list(operation, "methods");
        boolean path = paths.isEmpty() || paths.stream().anyMatch(x -> istioPath(x.toString(), r.path()));
        return path && (methods.isEmpty() || methods.contains(r.method()));
    }

    /** Istio's string match of paths: exact, "prefix*", "*suffix" or "*". */
    private static boolean istioPath(String pattern, String path) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith("*")) {
            return path.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (pattern.startsWith("*")) {
            return path.endsWith(pattern.substring(1));
        }
        return path.equals(pattern);
    }

    /**
     * Linkerd inbound HTTPRoutes (parent: the Server): every gRPC sample and every call on a turn (follow, cancel)
     * takes the route the REST API takes, so it is authorized by the same AuthorizationPolicy (the Server detects the
     * protocol, so HTTPRoutes see gRPC calls).
     */
    static void checkLinkerdInbound(List<Map<String, Object>> objects, String serverName) {
        List<Map<String, Object>> routes = objects.stream().filter(o -> "HTTPRoute".equals(kind(o)))
                .filter(o -> list(o, "spec", "parentRefs").stream()
                        .anyMatch(p -> "Server".equals(str(p, "kind")) && serverName.equals(str(p, "name"))))
                .toList();
        assertThat(routes).as("inbound HTTPRoutes of Server %s", serverName).isNotEmpty();
        String api = linkerdPolicy(routes, API_SAMPLE).route();
        assertThat(objects).as("an AuthorizationPolicy for inbound route %s", api)
                .anySatisfy(o -> {
                    assertThat(kind(o)).isEqualTo("AuthorizationPolicy");
                    assertThat(str(o, "spec", "targetRef", "kind")).isEqualTo("HTTPRoute");
                    assertThat(str(o, "spec", "targetRef", "name")).isEqualTo(api);
                });
        for (Request r : CALLER_SAMPLES) {
            assertThat(linkerdPolicy(routes, r).route()).as("inbound route of %s (%s)", r.path(), r.description())
                    .isEqualTo(api);
        }
    }

    private static void check(String mesh, Request r, Policy p, ServiceTimeouts s, List<String> failures) {
        String where = mesh + " route " + p.route() + " for " + r.description() + " (" + r.method() + " " + r.path()
                + ")";
        if (p.timeout() == null || p.timeout().isZero()) {
            failures.add(where + ": no timeout");
            return;
        }
        boolean turn = r.expect() == Expect.TURN_NO_RETRY || r.expect() == Expect.TURN_MAY_RETRY;
        boolean unaryTurn = r.expect() == Expect.UNARY_TURN_NO_RETRY || r.expect() == Expect.UNARY_TURN_MAY_RETRY;
        boolean follow = r.expect() == Expect.FOLLOW_MAY_RETRY;
        if (follow) {
            if (p.timeout().compareTo(s.longestTurn()) < 0) {
                failures.add(where + ": timeout " + p.timeout() + " < the streamed turn it follows (stream max "
                        + s.streamMaxDuration() + " + shutdown drain " + s.shutdownTimeout() + ")");
            }
            if (p.timeout().compareTo(s.turnLease()) >= 0) {
                failures.add(where + ": timeout " + p.timeout() + " outlives the turn lease " + s.turnLease());
            }
        } else if (turn) {
            if (p.timeout().compareTo(s.longestTurn()) < 0) {
                failures.add(where + ": timeout " + p.timeout() + " < stream max " + s.streamMaxDuration()
                        + " + shutdown drain " + s.shutdownTimeout());
            }
            if (p.timeout().compareTo(s.longestJsonTurn()) < 0) {
                failures.add(where + ": timeout " + p.timeout() + " < longest JSON turn " + s.longestJsonTurn());
            }
            if (p.timeout().compareTo(s.turnLease()) >= 0 || p.timeout().compareTo(s.idempotencyLockTimeout()) >= 0) {
                failures.add(where + ": timeout " + p.timeout() + " outlives the turn lease " + s.turnLease()
                        + " or the idempotency lock " + s.idempotencyLockTimeout());
            }
        } else if (unaryTurn) {
            if (p.timeout().compareTo(s.longestJsonTurn()) < 0) {
                failures.add(where + ": timeout " + p.timeout() + " < longest JSON turn " + s.longestJsonTurn());
            }
            if (p.timeout().compareTo(s.turnLease()) >= 0 || p.timeout().compareTo(s.idempotencyLockTimeout()) >= 0) {
                failures.add(where + ": timeout " + p.timeout() + " outlives the turn lease " + s.turnLease()
                        + " or the idempotency lock " + s.idempotencyLockTimeout());
            }
        } else if (r.expect() == Expect.CANCEL_NO_RETRY
                && p.timeout().compareTo(s.cancelWait().plus(NON_TURN_MIN_TIMEOUT)) < 0) {
            failures.add(where + ": timeout " + p.timeout() + " < the cancel wait " + s.cancelWait() + " + "
                    + NON_TURN_MIN_TIMEOUT + " (the cancel's own round trips)");
        } else if (p.timeout().compareTo(NON_TURN_MIN_TIMEOUT) < 0) {
            failures.add(where + ": timeout " + p.timeout() + " < " + NON_TURN_MIN_TIMEOUT);
        } else if (p.timeout().compareTo(s.longestTurn()) >= 0) {
            failures.add(where + ": a non-turn route as long as a turn (" + p.timeout() + ") hides hung requests");
        }
        boolean mayRetry = r.expect() == Expect.TURN_MAY_RETRY || r.expect() == Expect.UNARY_TURN_MAY_RETRY
                || r.expect() == Expect.FOLLOW_MAY_RETRY || r.expect() == Expect.MAY_RETRY;
        if (p.retries() > 0 && !mayRetry) {
            failures.add(where + ": retried " + p.retries() + " time(s), but only idempotent methods or requests"
                    + " with an Idempotency-Key the service records may be");
        }
        if (p.retries() > MAX_RETRIES) {
            failures.add(where + ": " + p.retries() + " retries > " + MAX_RETRIES);
        }
        if (p.retries() > 0) {
            Duration perTry = p.perTryTimeout() == null ? p.timeout() : p.perTryTimeout();
            if (turn || follow) {
                if (perTry.compareTo(s.streamMaxDuration()) < 0 || perTry.compareTo(s.llmTimeout()) <= 0
                        || perTry.compareTo(s.firstTokenTimeout()) <= 0) {
                    failures.add(where + ": per-try timeout " + perTry + " would cut a stream (stream max "
                            + s.streamMaxDuration() + ", LLM timeout " + s.llmTimeout() + ")");
                }
            } else if (unaryTurn) {
                if (perTry.compareTo(s.longestJsonTurn()) < 0) {
                    failures.add(where + ": per-try timeout " + perTry + " would cut a JSON turn ("
                            + s.longestJsonTurn() + ")");
                }
            } else if (perTry.multipliedBy(p.retries() + 1L).compareTo(p.timeout()) > 0) {
                failures.add(where + ": " + (p.retries() + 1) + " tries of " + perTry + " do not fit in "
                        + p.timeout());
            }
        }
    }

    // --- Istio -----------------------------------------------------------------------------------------------

    static Policy istioPolicy(Map<String, Object> vs, Request r) {
        for (Object route : list(vs, "spec", "http")) {
            List<Object> matches = list(route, "match");
            if (matches.isEmpty() || matches.stream().anyMatch(m -> istioMatches(m, r))) {
                String name = String.valueOf(str(route, "name"));
                Duration timeout = duration(str(route, "timeout"));
                Object retries = get(route, "retries");
                if (retries == null) {
                    // Istio's default retry policy: 2 attempts on any method.
                    return new Policy(name, timeout, 2, null, Set.of("connect-failure", "refused-stream",
                            "unavailable", "cancelled", "retriable-status-codes"));
                }
                int attempts = ((Number) get(retries, "attempts")).intValue();
                Set<String> retryOn = str(retries, "retryOn") == null ? Set.of("(default)")
                        : Arrays.stream(str(retries, "retryOn").split(",")).map(String::trim)
                                .collect(Collectors.toCollection(TreeSet::new));
                return new Policy(name, timeout, attempts, duration(str(retries, "perTryTimeout")), retryOn);
            }
        }
        return fail("Istio: no route of VirtualService " + name(vs) + " matches " + r);
    }

    private static boolean istioMatches(Object match, Request r) {
        for (String key : map(match).keySet()) {
            if (!Set.of("name", "uri", "method", "headers").contains(key)) {
                fail("MeshRoutes cannot judge Istio match field '" + key + "': extend it");
            }
        }
        if (get(match, "uri") != null && !istioString(map(match, "uri"), r.path())) {
            return false;
        }
        if (get(match, "method") != null && !istioString(map(match, "method"), r.method())) {
            return false;
        }
        for (Map.Entry<String, Object> h : map(match, "headers").entrySet()) {
            String value = header(r, h.getKey());
            if (value == null || !istioString(map(h.getValue()), value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean istioString(Map<String, Object> m, String value) {
        if (m.get("exact") != null) {
            return value.equals(m.get("exact"));
        }
        if (m.get("prefix") != null) {
            return value.startsWith((String) m.get("prefix"));
        }
        if (m.get("regex") != null) {
            return value.matches((String) m.get("regex")); // Envoy: RE2, whole value
        }
        return fail("MeshRoutes cannot judge Istio string match " + m);
    }

    // --- Linkerd ---------------------------------------------------------------------------------------------

    private record Candidate(String route, Map<String, Object> routeObject, Object rule, int pathLength,
            boolean method, int headers) {
    }

    static Policy linkerdPolicy(List<Map<String, Object>> routes, Request r) {
        List<Candidate> candidates = new ArrayList<>();
        for (Map<String, Object> route : routes) {
            for (Object rule : list(route, "spec", "rules")) {
                List<Object> matches = list(rule, "matches");
                if (matches.isEmpty()) {
                    candidates.add(new Candidate(name(route), route, rule, 1, false, 0));
                }
                for (Object m : matches) {
                    Candidate c = linkerdMatch(route, rule, m, r);
                    if (c != null) {
                        candidates.add(c);
                    }
                }
            }
        }
        Comparator<Candidate> precedence = Comparator.comparingInt(Candidate::pathLength)
                .thenComparing(Candidate::method).thenComparingInt(Candidate::headers);
        Candidate best = candidates.stream().max(precedence)
                .orElseGet(() -> fail("Linkerd: no HTTPRoute matches " + r + " (the proxy answers 404)"));
        List<String> tied = candidates.stream().filter(c -> precedence.compare(c, best) == 0)
                .map(Candidate::route).distinct().toList();
        if (tied.size() > 1) {
            fail("Linkerd: routes " + tied + " match " + r + " equally; the oldest would win");
        }
        Map<String, Object> annotations = map(best.routeObject(), "metadata", "annotations");
        Duration timeout = annotations.containsKey("timeout.linkerd.io/request")
                ? duration(annotations.get("timeout.linkerd.io/request").toString())
                : duration(str(best.rule(), "timeouts", "request"));
        Object statuses = annotations.get("retry.linkerd.io/http");
        // HTTP statuses never retry a gRPC call: it fails with HTTP 200 and a grpc-status.
        if (statuses == null || r.grpc()) {
            return new Policy(best.route(), timeout, 0, null, Set.of());
        }
        int limit = annotations.containsKey("retry.linkerd.io/limit")
                ? Integer.parseInt(annotations.get("retry.linkerd.io/limit").toString())
                : 1; // Linkerd's default
        Object perTry = annotations.get("retry.linkerd.io/timeout");
        Set<String> retryOn = Arrays.stream(statuses.toString().split(",")).map(String::trim)
                .collect(Collectors.toCollection(TreeSet::new));
        return new Policy(best.route(), timeout, limit, perTry == null ? null : duration(perTry.toString()), retryOn);
    }

    private static Candidate linkerdMatch(Map<String, Object> route, Object rule, Object m, Request r) {
        for (String key : map(m).keySet()) {
            if (!Set.of("path", "method", "headers").contains(key)) {
                fail("MeshRoutes cannot judge Linkerd match field '" + key + "': extend it");
            }
        }
        String method = str(m, "method");
        if (method != null && !method.equals(r.method())) {
            return null;
        }
        String type = str(m, "path", "type") == null ? "PathPrefix" : str(m, "path", "type");
        String value = str(m, "path", "value") == null ? "/" : str(m, "path", "value");
        int length;
        switch (type) {
            case "Exact" -> length = value.equals(r.path()) ? value.length() : -1;
            case "RegularExpression" -> length = r.path().matches(value) ? r.path().length() : -1;
            case "PathPrefix" -> {
                if (value.equals("/")) {
                    length = 1;
                } else {
                    String prefix = value.replaceAll("/+$", "");
                    String path = r.path().replaceAll("/+$", "");
                    boolean segment = path.equals(prefix) || path.startsWith(prefix + "/");
                    length = segment ? prefix.length() : -1;
                }
            }
            default -> length = fail("unknown path match type " + type);
        }
        if (length < 0) {
            return null;
        }
        List<Object> headers = list(m, "headers");
        for (Object h : headers) {
            String actual = header(r, str(h, "name"));
            String expected = str(h, "value");
            boolean regex = "RegularExpression".equals(str(h, "type"));
            if (actual == null || !(regex ? actual.matches(expected) : actual.equals(expected))) {
                return null;
            }
        }
        return new Candidate(name(route), route, rule, length, method != null, headers.size());
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static String header(Request r, String name) {
        return r.headers().entrySet().stream()
                .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private static Duration duration(String text) {
        return text == null ? null : ServiceTimeouts.parseDuration(text);
    }
}
