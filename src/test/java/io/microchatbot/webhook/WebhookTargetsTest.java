package io.microchatbot.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.Vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSRF rules as they ship: with no private host allowed. */
class WebhookTargetsTest {

    private static final Vertx VERTX = Vertx.vertx();
    private final WebhookTargets shipped = new WebhookTargets(VERTX, List.of());

    @AfterAll
    static void closeVertx() {
        VERTX.close();
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback", "127.255.255.254, loopback", "10.0.0.1, private", "172.16.0.1, private",
            "172.31.255.255, private", "192.168.1.1, private", "169.254.169.254, link-local",
            "100.64.0.1, shared (carrier-grade NAT)", "100.100.100.200, shared (carrier-grade NAT)",
            "0.0.0.0, unspecified", "0.1.2.3, unspecified", "224.0.0.1, multicast", "255.255.255.255, reserved",
            "192.0.0.192, reserved", "::, unspecified", "::1, loopback", "fe80::1, link-local",
            "fc00::1, private (unique local)", "fd00:ec2::254, private (unique local)", "ff02::1, multicast",
            "fec0::1, site-local", "::ffff:10.0.0.1, private", "::7f00:1, loopback",
            "64:ff9b::a9fe:a9fe, link-local", "2002:7f00:1::, loopback" })
    void internalAddressesAreRefusedWithTheirKind(String address, String kind) throws Exception {
        InetAddress ip = InetAddress.getByName(address);
        assertThatThrownBy(() -> shipped.approved(address, new InetAddress[] { ip }))
                .isInstanceOf(TargetForbidden.class)
                .hasMessageEndingWith("a " + kind + " address");
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "169.255.0.1", "11.0.0.1",
            "2606:4700:4700::1111", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::" })
    void publicAddressesAreAllowed(String address) throws Exception {
        InetAddress ip = InetAddress.getByName(address);
        assertThat(shipped.approved(address, new InetAddress[] { ip })).isEqualTo(ip);
    }

    @Test
    void oneInternalAddressAmongPublicOnesIsEnoughToRefuse() throws Exception {
        InetAddress[] answer = { InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.1.2.3") };
        assertThatThrownBy(() -> shipped.approved("mixed.example", answer))
                .isInstanceOf(TargetForbidden.class)
                .hasMessage("mixed.example resolves to 10.1.2.3, a private address");
    }

    @Test
    void hostNamesResolvingToLoopbackAreRefused() {
        assertThatThrownBy(() -> shipped.resolve(URI.create("http://localhost:8080/hook")).await()
                .atMost(Duration.ofSeconds(10)))
                .isInstanceOf(TargetForbidden.class)
                .hasMessageStartingWith("localhost resolves to ");
        assertThatThrownBy(() -> shipped.resolve(URI.create("http://[::1]/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(TargetForbidden.class)
                .hasMessage("::1 is a loopback address");
    }

    @Test
    void unresolvableHostFailsAsUnknown() {
        Throwable failure = shipped.resolve(URI.create("http://no-such-host.invalid/"))
                .map(Throwable.class::cast)
                .onFailure().recoverWithItem(unknown -> unknown)
                .await().atMost(Duration.ofSeconds(30));
        assertThat(failure).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void anAllowedHostIsComparedAsWrittenInTheUrl() throws Exception {
        WebhookTargets allowing = new WebhookTargets(VERTX, List.of(" Receiver.Internal ", "[0:0:0:0:0:0:0:1]",
                "10.0.0.7"));
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress ten = InetAddress.getByName("10.0.0.7");
        assertThat(allowing.approved("receiver.internal", new InetAddress[] { ten })).isEqualTo(ten);
        assertThat(allowing.approved("::1", new InetAddress[] { InetAddress.getByName("::1") })).isNotNull();
        assertThat(allowing.approved("10.0.0.7", new InetAddress[] { ten })).isEqualTo(ten);
        // The address an allowed name resolves to does not allow other names.
        assertThatThrownBy(() -> allowing.approved("other.internal", new InetAddress[] { ten }))
                .isInstanceOf(TargetForbidden.class);
        assertThatThrownBy(() -> allowing.approved("localhost", new InetAddress[] { loopback }))
                .isInstanceOf(TargetForbidden.class);
    }
}
