package io.microchatbot.grpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;

/**
 * The server streams still running when the drain period is over are cancelled, as a caller hanging up would,
 * while the database can still be reached: their turns store what was generated as {@code incomplete}. Closing
 * the connection alone (what {@code DrainingRequests} does for every request) does not reach them: the gRPC
 * server tells a call it was cancelled only when its stream is reset.
 */
@ApplicationScoped
class RunningStreams {

    private final Set<Flow.Subscription> running = ConcurrentHashMap.newKeySet();

    <T> Multi<T> tracked(Multi<T> stream) {
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        return stream
                .onSubscription().invoke(started -> {
                    subscription.set(started);
                    running.add(started);
                })
                .onTermination().invoke(() -> running.remove(subscription.get()));
    }

    /** Runs when the drain period is over or timed out, before the database pool closes. */
    void cutUnfinished(@Observes @Priority(10) ShutdownEvent event) {
        if (running.isEmpty()) {
            return;
        }
        Log.warnf("Cancelling %d gRPC stream(s) still running after the drain period", running.size());
        running.forEach(Flow.Subscription::cancel);
    }
}
