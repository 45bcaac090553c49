package io.microchatbot.grpc;

import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.StatusRuntimeException;
import io.microchatbot.Deadline;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.idempotency.IdempotencyKey;
import io.microchatbot.identity.Caller;
import io.microchatbot.lifecycle.ShutdownPhase;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.Failures;
import io.microchatbot.ratelimit.RateLimiter;
import io.microchatbot.ratelimit.RequestKind;
import io.microchatbot.security.Access;
import io.microchatbot.security.Scope;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * What every call goes through before and after its work, as every REST request does: refused while the pod
 * drains, authenticated, checked for its scope, rate limited (as a turn or a read), and every failure answered as
 * the gRPC status of its problem ({@link GrpcProblems}).
 */
@ApplicationScoped
class GrpcCalls {

    private final GrpcAuthenticator authenticator;
    private final RateLimiter limiter;
    private final ShutdownPhase phase;
    private final RunningStreams streams;

    GrpcCalls(GrpcAuthenticator authenticator, RateLimiter limiter, ShutdownPhase phase, RunningStreams streams) {
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.phase = phase;
        this.streams = streams;
    }

    /** An admitted call: who makes it, what it sent, by when it must be answered. */
    record Call(Access access, CallMetadata.Headers metadata, Deadline deadline, String correlationId) {

        Caller caller() {
            return access.caller();
        }

        Optional<IdempotencyKey> idempotencyKey() {
            return IdempotencyKey.from(metadata.all(IdempotencyKey.HEADER));
        }
    }

    /** A unary call; call it when the service method is entered, where the call's metadata can be read. */
    <T> Uni<T> unary(Scope scope, RequestKind kind, Function<Call, Uni<T>> work) {
        CallMetadata.Headers metadata = CallMetadata.current();
        // Set by the HTTP router's CorrelationId, which gRPC calls pass: the caller's x-request-id or a new one.
        String correlationId = CorrelationId.current();
        return Uni.createFrom().<Call> deferred(() -> admit(metadata, scope, kind, correlationId))
                .chain(call -> work.apply(call))
                .onFailure().transform(failure -> status(failure, correlationId));
    }

    /**
     * A server-streaming call; failures before its first message, or during it, end it with their status. A stream
     * still running when the pod's drain is over is cancelled ({@link RunningStreams}).
     */
    <T> Multi<T> streaming(Scope scope, RequestKind kind, Function<Call, Multi<T>> work) {
        CallMetadata.Headers metadata = CallMetadata.current();
        String correlationId = CorrelationId.current();
        return streams.tracked(Multi.createFrom().<Call> deferred(() -> admit(metadata, scope, kind, correlationId)
                .toMulti())
                .onItem().transformToMultiAndConcatenate(call -> work.apply(call))
                .onFailure().transform(failure -> status(failure, correlationId)));
    }

    private Uni<Call> admit(CallMetadata.Headers metadata, Scope scope, RequestKind kind, String correlationId) {
        if (phase.draining()) {
            throw new ApiException(ErrorCode.shutting_down, "This instance is shutting down; send the call again", 1);
        }
        Deadline deadline = CallDeadline.from(metadata);
        return authenticator.authenticate(metadata)
                .invoke(access -> access.require(scope))
                .invoke(Access::nameInLogs)
                .call(access -> limiter.take(access, kind).invoke(quota -> {
                    if (!quota.allowed()) {
                        throw RateLimiter.refusal(kind, quota);
                    }
                }))
                .map(access -> new Call(access, metadata, deadline, correlationId));
    }

    private static Throwable status(Throwable failure, String correlationId) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        return GrpcProblems.toStatus(Failures.describe(failure), correlationId);
    }
}
