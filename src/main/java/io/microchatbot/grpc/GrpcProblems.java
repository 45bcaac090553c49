package io.microchatbot.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;

/**
 * A problem as a gRPC status (docs/grpc.md#errors): the code's status from {@link #status}, the detail as its
 * message, and {@code google.rpc.Status} details: {@code ErrorInfo} whose reason is the stable error code,
 * {@code BadRequest} with the invalid fields, {@code RetryInfo} when the caller may retry after a delay.
 */
public final class GrpcProblems {

    /** The ErrorInfo domain: the service, as REST's problem types name it. */
    public static final String DOMAIN = "micro-chatbot-service";

    private GrpcProblems() {
    }

    public static StatusRuntimeException toStatus(ApiException problem, String correlationId) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder()
                .setReason(problem.code().name())
                .setDomain(DOMAIN)
                .putMetadata("status", Integer.toString(problem.code().status()));
        if (correlationId != null) {
            info.putMetadata("correlation_id", correlationId);
        }
        var status = com.google.rpc.Status.newBuilder()
                .setCode(status(problem.code()).value())
                .setMessage(problem.getMessage() == null ? problem.code().title() : problem.getMessage())
                .addDetails(Any.pack(info.build()));
        if (!problem.errors().isEmpty()) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            for (FieldError error : problem.errors()) {
                badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(error.field())
                        .setDescription(error.message()));
            }
            status.addDetails(Any.pack(badRequest.build()));
        }
        problem.retryAfterSeconds().ifPresent(seconds -> status.addDetails(Any.pack(RetryInfo.newBuilder()
                .setRetryDelay(Duration.newBuilder().setSeconds(seconds))
                .build())));
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /**
     * The stable status of each code. UNAVAILABLE only where nothing ran or a retry is answered by a recorded
     * outcome, so that meshes may retry it; RESOURCE_EXHAUSTED for limits and capacity, with RetryInfo; ABORTED for
     * concurrency conflicts the caller resolves by retrying the same request later.
     */
    public static Status.Code status(ErrorCode code) {
        return switch (code) {
            case invalid_json, validation_failed, invalid_cursor, invalid_identity, context_window_exceeded,
                    webhook_target_forbidden, not_acceptable, unsupported_media_type, unknown_tool_call,
                    model_not_allowed ->
                Status.Code.INVALID_ARGUMENT;
            case unauthenticated -> Status.Code.UNAUTHENTICATED;
            case forbidden -> Status.Code.PERMISSION_DENIED;
            case not_found -> Status.Code.NOT_FOUND;
            case method_not_allowed -> Status.Code.UNIMPLEMENTED;
            case conversation_busy, request_in_progress -> Status.Code.ABORTED;
            case idempotency_key_reused, tool_results_missing -> Status.Code.FAILED_PRECONDITION;
            case webhook_limit_reached, payload_too_large, rate_limited, llm_rate_limited, llm_overloaded,
                    overloaded, budget_exhausted ->
                Status.Code.RESOURCE_EXHAUSTED;
            case client_disconnected, cancelled -> Status.Code.CANCELLED;
            case turn_not_running -> Status.Code.FAILED_PRECONDITION;
            case internal_error, llm_bad_response, llm_invalid_output -> Status.Code.INTERNAL;
            case llm_unavailable, database_unavailable, turn_interrupted, shutting_down, coordination_unavailable ->
                Status.Code.UNAVAILABLE;
            case llm_timeout, deadline_exceeded -> Status.Code.DEADLINE_EXCEEDED;
        };
    }
}
