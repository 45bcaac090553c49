package io.microchatbot.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.microchatbot.event.EventsConfig;
import io.microchatbot.event.EventsTransport;
import io.microchatbot.event.OutboxRelay;
import io.microchatbot.kafka.KafkaProbe;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * The events transport as readiness sees it: always UP, because no request waits for it (events wait in the
 * outbox, commands in their stream or topic) and taking pods out of rotation would not bring it back. Its state is
 * in the data: {@code up}, or {@code degraded} with the reason (the broker did not answer, or the relay's last batch
 * was not taken), and the outbox lag.
 */
@Readiness
@ApplicationScoped
public class EventsHealthCheck implements AsyncHealthCheck {

    private final OutboxRelay relay;
    private final EventsConfig config;
    private final KafkaProbe kafka;

    EventsHealthCheck(OutboxRelay relay, EventsConfig config, KafkaProbe kafka) {
        this.relay = relay;
        this.config = config;
        this.kafka = kafka;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Uni<String> brokerTrouble = config.transport() == EventsTransport.kafka
                ? kafka.clusterId().replaceWith((String) null)
                        .onFailure().recoverWithItem(failure -> "the Kafka cluster did not answer: "
                                + failure.getMessage())
                : Uni.createFrom().nullItem();
        return brokerTrouble.map(trouble -> {
            String reason = trouble != null ? trouble
                    : relay.lastFailure() != null ? "the last batch was not published: " + relay.lastFailure() : null;
            var response = HealthCheckResponse.named("events").up()
                    .withData("transport", relay.transport())
                    .withData("status", reason == null ? "up" : "degraded")
                    .withData("outbox_lag_seconds", String.valueOf(relay.lagSeconds()));
            if (reason != null) {
                response.withData("reason", reason)
                        .withData("effect", "events wait in the outbox and are published in order once it is back");
            }
            return response.build();
        });
    }
}
