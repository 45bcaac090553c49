package io.microchatbot.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Runs reactive database work from a test as the scheduler would: on a safe duplicated Vert.x context. */
public final class OnVertxContext {

    private OnVertxContext() {
    }

    public static <T> T await(Vertx vertx, Uni<T> work) throws Exception {
        return start(vertx, work).get(20, TimeUnit.SECONDS);
    }

    public static <T> CompletableFuture<T> start(Vertx vertx, Uni<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.subscribe().with(result::complete, result::completeExceptionally));
        return result;
    }
}
