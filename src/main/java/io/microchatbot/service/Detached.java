package io.microchatbot.service;

import io.smallrye.mutiny.Uni;

/** Work that must finish once started: a caller who cancels stops waiting for it, but does not stop it. */
final class Detached {

    private Detached() {
    }

    static <T> Uni<T> run(Uni<T> work) {
        return Uni.createFrom().emitter(emitter -> work.subscribe().with(emitter::complete, emitter::fail));
    }
}
