package io.microchatbot.webhook;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Sends one attempt of a delivery: {@code POST} of the stored envelope, signed ({@link WebhookSignature}), to the
 * address {@link WebhookTargets} approved just before. Redirects are not followed (a 3xx is a failed attempt), the
 * whole attempt is bounded by {@code chatbot.webhooks.timeout}, and at most {@value #MAX_RESPONSE_BYTES} bytes of the
 * response are read, never kept. No retries here: the dispatcher schedules the next attempt.
 */
@ApplicationScoped
public class WebhookSender {

    public static final String EVENT_HEADER = "X-Chatbot-Event";
    public static final String DELIVERY_HEADER = "X-Chatbot-Delivery";
    static final String USER_AGENT = "micro-chatbot-service-webhooks/1";
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final int MAX_ERROR_CHARS = 300;

    private final WebhookTargets targets;
    private final Duration timeout;
    private final HttpClient client;

    WebhookSender(Vertx vertx, WebhookTargets targets, WebhooksConfig config) {
        this.targets = targets;
        this.timeout = config.timeout();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeout.toMillis())
                // Every attempt connects to the address checked for it: no connection outlives its attempt.
                .setKeepAlive(false)
                .setMaxPoolSize(config.concurrency())
                .setForceSni(true)
                .setVerifyHost(true));
    }

    /**
     * The outcome of one attempt; never fails. A 2xx is delivered; any other status, a refused target, a host
     * that does not resolve, a connection or TLS failure and a timeout are failed attempts with their reason.
     */
    Uni<AttemptOutcome> send(ClaimedDelivery delivery) {
        return Uni.createFrom().item(() -> URI.create(delivery.url()))
                .chain(url -> targets.resolve(url)
                        .map(address -> options(url, address, delivery)))
                .chain(options -> post(options, Buffer.buffer(delivery.payload())))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException())
                .map(AttemptOutcome::answered)
                // Every failure of an attempt is an outcome to record, whatever it is.
                .onFailure().recoverWithItem(failure -> AttemptOutcome.failed(reason(failure)));
    }

    private RequestOptions options(URI url, InetAddress address, ClaimedDelivery delivery) {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        long now = Instant.now().getEpochSecond();
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setSsl(https)
                .setHost(WebhookTargets.host(url))
                .setPort(port)
                .setURI(url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setFollowRedirects(false)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.USER_AGENT, USER_AGENT)
                .putHeader(EVENT_HEADER, delivery.eventType())
                .putHeader(DELIVERY_HEADER, delivery.id().toString())
                .putHeader(WebhookSignature.HEADER, WebhookSignature.header(delivery.secret(), now, delivery.payload()));
    }

    /** The response's status, once its body has ended (or its first {@value #MAX_RESPONSE_BYTES} bytes came). */
    private Uni<Integer> post(RequestOptions options, Buffer body) {
        return Uni.createFrom().emitter(emitter -> client.request(options)
                .compose(request -> {
                    emitter.onTermination(request::reset);
                    return request.send(body);
                })
                .compose(WebhookSender::statusAfterBody)
                .onComplete(result -> {
                    if (result.succeeded()) {
                        emitter.complete(result.result());
                    } else {
                        emitter.fail(result.cause());
                    }
                }));
    }

    private static Future<Integer> statusAfterBody(HttpClientResponse response) {
        Promise<Integer> status = Promise.promise();
        AtomicLong read = new AtomicLong();
        response.handler(chunk -> {
            if (read.addAndGet(chunk.length()) > MAX_RESPONSE_BYTES && status.tryComplete(response.statusCode())) {
                response.request().reset();
            }
        });
        response.endHandler(ignored -> status.tryComplete(response.statusCode()));
        response.exceptionHandler(status::tryFail);
        return status.future();
    }

    /** Shown in the delivery log: ours, never the receiver's words. */
    private String reason(Throwable failure) {
        String reason;
        if (failure instanceof TimeoutException) {
            reason = "No answer within " + timeout.toMillis() + " ms";
        } else if (failure instanceof TargetForbidden) {
            reason = "Target forbidden: " + failure.getMessage();
        } else if (failure instanceof UnknownHostException) {
            reason = "The host does not resolve";
        } else {
            reason = "Request failed: " + (failure.getMessage() == null ? failure.getClass().getSimpleName()
                    : failure.getMessage());
        }
        return reason.length() > MAX_ERROR_CHARS ? reason.substring(0, MAX_ERROR_CHARS) : reason;
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
