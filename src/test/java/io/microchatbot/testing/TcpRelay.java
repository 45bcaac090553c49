package io.microchatbot.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP relay to a local port that a test can cut (connections dropped and refused) or stall (connections kept
 * open, nothing forwarded), then restore: what the service sees when a dependency goes away or hangs.
 */
public final class TcpRelay {

    private static final Vertx VERTX = Vertx.vertx();
    private final List<NetSocket> open = new CopyOnWriteArrayList<>();
    private final int targetPort;
    private volatile boolean down;
    private volatile boolean stalled;
    private NetServer server;

    public TcpRelay(int targetPort) {
        this.targetPort = targetPort;
    }

    /** Starts listening on a free port of 127.0.0.1 and returns it. */
    public int start() {
        NetClient client = VERTX.createNetClient();
        try {
            server = VERTX.createNetServer().connectHandler(inbound -> {
                if (down) {
                    inbound.close();
                    return;
                }
                inbound.pause();
                client.connect(targetPort, "127.0.0.1").onSuccess(outbound -> relay(inbound, outbound))
                        .onFailure(e -> inbound.close());
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return server.actualPort();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start a relay to port " + targetPort, e);
        }
    }

    /** Drops every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        down = true;
        open.forEach(NetSocket::close);
        open.clear();
    }

    /** Keeps connections open but forwards nothing: the dependency looks hung. */
    public void stall() {
        stalled = true;
        open.forEach(NetSocket::pause);
    }

    public void restore() {
        down = false;
        stalled = false;
        open.forEach(NetSocket::resume);
    }

    public void stop() {
        restore();
        server.close();
    }

    private void relay(NetSocket inbound, NetSocket outbound) {
        open.add(inbound);
        open.add(outbound);
        inbound.handler(outbound::write);
        outbound.handler(inbound::write);
        inbound.closeHandler(v -> {
            open.remove(inbound);
            outbound.close();
        });
        outbound.closeHandler(v -> {
            open.remove(outbound);
            inbound.close();
        });
        if (stalled) {
            outbound.pause();
        } else {
            inbound.resume();
        }
    }
}
