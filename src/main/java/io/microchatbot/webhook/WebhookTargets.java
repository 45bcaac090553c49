package io.microchatbot.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.netty.util.NetUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Where a webhook may send: its host is resolved and every address it has must be public ({@link ForbiddenAddresses}),
 * unless the host, as written in the URL, is in {@code chatbot.webhooks.allowed-private-hosts}. Checked when the
 * webhook is registered and again before every attempt; the attempt then connects to the address that was checked,
 * so that a DNS answer changed in between (rebinding) cannot redirect it.
 */
@ApplicationScoped
public class WebhookTargets {

    private final Vertx vertx;
    private final Set<String> allowed;

    @Inject
    WebhookTargets(Vertx vertx, WebhooksConfig config) {
        this(vertx, config.allowedPrivateHosts().orElse(List.of()));
    }

    WebhookTargets(Vertx vertx, List<String> allowedPrivateHosts) {
        this.vertx = vertx;
        this.allowed = allowedPrivateHosts.stream()
                .map(String::trim)
                .filter(host -> !host.isEmpty())
                .map(WebhookTargets::canonical)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The address to connect to for the URL's host. Resolved on a worker thread (the system resolver blocks), the
     * answer coming back on the caller's context. Fails with {@link TargetForbidden} when an address is not public,
     * with {@link java.net.UnknownHostException} when the host does not resolve.
     */
    public Uni<InetAddress> resolve(URI url) {
        String host = host(url);
        return Uni.createFrom().completionStage(() -> vertx
                .executeBlocking(() -> InetAddress.getAllByName(host), false)
                .toCompletionStage())
                .map(addresses -> approved(host, addresses));
    }

    InetAddress approved(String host, InetAddress[] addresses) {
        if (allowed.contains(canonical(host))) {
            return addresses[0];
        }
        for (InetAddress address : addresses) {
            String shown = NetUtil.toAddressString(address);
            ForbiddenAddresses.reason(address).ifPresent(reason -> {
                throw new TargetForbidden(host, shown, reason);
            });
        }
        return addresses[0];
    }

    /** The host as the resolver wants it: an IPv6 address without its brackets. */
    static String host(URI url) {
        return unbracketed(url.getHost());
    }

    /** One spelling per host: lower case, an IP address in its normal form (::1, not 0:0:0:0:0:0:0:1). */
    private static String canonical(String host) {
        String bare = unbracketed(host);
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(bare);
        return literal != null ? NetUtil.toAddressString(literal) : bare.toLowerCase(Locale.ROOT);
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
