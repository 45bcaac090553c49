package io.microchatbot.kafka;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Asks the cluster who it is, bounded by a short timeout: what readiness knows of the broker. */
@ApplicationScoped
public class KafkaProbe {

    private static final int TIMEOUT_MS = 1_500;

    private final KafkaClients clients;
    private Admin admin;

    KafkaProbe(KafkaClients clients) {
        this.clients = clients;
    }

    /** The cluster's id, on the caller's context; fails when no broker answered in time. */
    public Uni<String> clusterId() {
        Context caller = Vertx.currentContext();
        return Uni.createFrom().<String> deferred(() -> Uni.createFrom().completionStage(admin()
                .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).clusterId().toCompletionStage()))
                .emitOn(action -> {
                    if (caller == null) {
                        action.run();
                    } else {
                        caller.runOnContext(ignored -> action.run());
                    }
                });
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(clients.admin("micro-chatbot-service-probe"));
        }
        return admin;
    }

    synchronized void close(@Observes ShutdownEvent event) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
