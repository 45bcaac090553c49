package io.microchatbot.grpc;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;

/**
 * {@code grpc.health.v1} tells what {@code /q/health/ready} tells: SERVING while every readiness check is UP,
 * NOT_SERVING before that, when a dependency is down, and from the start of a shutdown on, for the server as a
 * whole ({@code ""}) and for {@code microchatbot.v1.ChatService}. Re-read every {@code chatbot.grpc.health-refresh}.
 */
@ApplicationScoped
public class GrpcReadiness {

    static final String CHAT_SERVICE = "microchatbot.v1.ChatService";

    private final GrpcHealthStorage health;
    private final SmallRyeHealthReporter reporter;
    private volatile boolean stopping;

    GrpcReadiness(GrpcHealthStorage health, SmallRyeHealthReporter reporter) {
        this.health = health;
        this.reporter = reporter;
    }

    void notYet(@Observes StartupEvent event) {
        publish(ServingStatus.NOT_SERVING);
    }

    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        publish(ServingStatus.NOT_SERVING);
    }

    @Scheduled(every = "${chatbot.grpc.health-refresh:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return reporter.getReadinessAsync()
                .invoke(readiness -> publish(!stopping && !readiness.isDown() ? ServingStatus.SERVING
                        : ServingStatus.NOT_SERVING))
                .replaceWithVoid();
    }

    private void publish(ServingStatus status) {
        health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
        health.setStatus(CHAT_SERVICE, status);
    }
}
