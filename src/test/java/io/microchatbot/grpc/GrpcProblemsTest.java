package io.microchatbot.grpc;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error code's gRPC status, and the google.rpc.Status details a problem is sent with. */
class GrpcProblemsTest {

    /**
     * The contract, one line per code: a new ErrorCode fails {@link #everyCodeHasItsDocumentedStatus} until it is
     * given a status here and in GrpcProblems. UNAVAILABLE only where a retry is safe (nothing ran, or the retry is
     * answered by a recorded outcome); RESOURCE_EXHAUSTED for limits and capacity; ABORTED for conflicts resolved
     * by sending the same request again later.
     */
    private static final Map<ErrorCode, Code> DOCUMENTED = new EnumMap<>(Map.ofEntries(
            Map.entry(ErrorCode.invalid_json, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.validation_failed, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.invalid_cursor, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.unknown_tool_call, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.model_not_allowed, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.tool_results_missing, Code.FAILED_PRECONDITION),
            Map.entry(ErrorCode.llm_invalid_output, Code.INTERNAL),
            Map.entry(ErrorCode.invalid_identity, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.context_window_exceeded, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.webhook_target_forbidden, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.unauthenticated, Code.UNAUTHENTICATED),
            Map.entry(ErrorCode.forbidden, Code.PERMISSION_DENIED),
            Map.entry(ErrorCode.not_found, Code.NOT_FOUND),
            Map.entry(ErrorCode.method_not_allowed, Code.UNIMPLEMENTED),
            Map.entry(ErrorCode.not_acceptable, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.conversation_busy, Code.ABORTED),
            Map.entry(ErrorCode.request_in_progress, Code.ABORTED),
            Map.entry(ErrorCode.webhook_limit_reached, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.payload_too_large, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.unsupported_media_type, Code.INVALID_ARGUMENT),
            Map.entry(ErrorCode.idempotency_key_reused, Code.FAILED_PRECONDITION),
            Map.entry(ErrorCode.rate_limited, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.llm_rate_limited, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.budget_exhausted, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.client_disconnected, Code.CANCELLED),
            Map.entry(ErrorCode.internal_error, Code.INTERNAL),
            Map.entry(ErrorCode.llm_bad_response, Code.INTERNAL),
            Map.entry(ErrorCode.llm_unavailable, Code.UNAVAILABLE),
            Map.entry(ErrorCode.llm_overloaded, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.overloaded, Code.RESOURCE_EXHAUSTED),
            Map.entry(ErrorCode.database_unavailable, Code.UNAVAILABLE),
            Map.entry(ErrorCode.coordination_unavailable, Code.UNAVAILABLE),
            Map.entry(ErrorCode.cancelled, Code.CANCELLED),
            Map.entry(ErrorCode.turn_not_running, Code.FAILED_PRECONDITION),
            Map.entry(ErrorCode.turn_interrupted, Code.UNAVAILABLE),
            Map.entry(ErrorCode.shutting_down, Code.UNAVAILABLE),
            Map.entry(ErrorCode.llm_timeout, Code.DEADLINE_EXCEEDED),
            Map.entry(ErrorCode.deadline_exceeded, Code.DEADLINE_EXCEEDED)));

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeHasItsDocumentedStatus(ErrorCode code) {
        assertThat(DOCUMENTED).as("the documented gRPC status of " + code).containsKey(code);
        assertThat(GrpcProblems.status(code)).as(code.name()).isEqualTo(DOCUMENTED.get(code));
        assertThat(GrpcProblems.toStatus(new ApiException(code, "detail"), "cid").getStatus().getCode())
                .as("the status a problem of " + code + " is sent with").isEqualTo(DOCUMENTED.get(code));
    }

    @Test
    void theTableNamesNoCodeTwiceAndNothingElse() {
        assertThat(DOCUMENTED.keySet()).containsExactlyInAnyOrder(ErrorCode.values());
    }

    @Test
    void aProblemCarriesItsCodeAsErrorInfoWithTheRestStatusAndTheCorrelationId() throws Exception {
        StatusRuntimeException failure = GrpcProblems.toStatus(ApiException.notFound("Conversation"), "req-42");

        assertThat(failure.getStatus().getCode()).isEqualTo(Code.NOT_FOUND);
        assertThat(failure.getStatus().getDescription()).isEqualTo("Conversation not found");
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        assertThat(status.getCode()).isEqualTo(Code.NOT_FOUND.value());
        assertThat(status.getMessage()).isEqualTo("Conversation not found");
        assertThat(status.getDetailsList()).as("only ErrorInfo: no field errors, no retry").hasSize(1);
        ErrorInfo info = only(status, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("not_found");
        assertThat(info.getDomain()).isEqualTo(GrpcProblems.DOMAIN).isEqualTo("micro-chatbot-service");
        assertThat(info.getMetadataMap()).containsExactlyInAnyOrderEntriesOf(Map.of("status", "404",
                "correlation_id", "req-42"));
    }

    @Test
    void withoutACorrelationIdErrorInfoHasNoneAndADetaillessProblemSendsItsTitle() throws Exception {
        StatusRuntimeException failure = GrpcProblems.toStatus(new ApiException(ErrorCode.internal_error, null),
                null);

        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        assertThat(status.getMessage()).isEqualTo(ErrorCode.internal_error.title());
        assertThat(only(status, ErrorInfo.class).getMetadataMap()).containsExactly(Map.entry("status", "500"));
    }

    @Test
    void fieldErrorsAreBadRequestViolationsInOrder() throws Exception {
        ApiException problem = ApiException.invalid(List.of(new FieldError("content", "must not be blank"),
                new FieldError("metadata", "must be a JSON object of at most 16384 bytes")));

        com.google.rpc.Status status = StatusProto.fromThrowable(GrpcProblems.toStatus(problem, "c"));

        assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT.value());
        assertThat(status.getMessage()).isEqualTo("2 fields are invalid");
        assertThat(only(status, ErrorInfo.class).getReason()).isEqualTo("validation_failed");
        BadRequest badRequest = only(status, BadRequest.class);
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .containsExactly("content", "metadata");
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getDescription)
                .containsExactly("must not be blank", "must be a JSON object of at most 16384 bytes");
        assertThat(count(status, RetryInfo.class)).isZero();
    }

    @Test
    void retryAfterIsRetryInfoInWholeSeconds() throws Exception {
        ApiException busy = new ApiException(ErrorCode.conversation_busy, "A reply is being generated", 2);

        StatusRuntimeException failure = GrpcProblems.toStatus(busy, "c");

        assertThat(failure.getStatus().getCode()).isEqualTo(Code.ABORTED);
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        RetryInfo retry = only(status, RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(2);
        assertThat(retry.getRetryDelay().getNanos()).isZero();
        assertThat(count(status, BadRequest.class)).isZero();
        assertThat(only(status, ErrorInfo.class).getMetadataMap()).containsEntry("status", "409");
    }

    @Test
    void aRateLimitHasAllItsDetails() throws Exception {
        ApiException limited = new ApiException(ErrorCode.rate_limited, "Too many messages", 7,
                List.of(new FieldError("x", "y")));

        com.google.rpc.Status status = StatusProto.fromThrowable(GrpcProblems.toStatus(limited, "c"));

        assertThat(status.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED.value());
        assertThat(status.getDetailsList()).hasSize(3);
        assertThat(only(status, ErrorInfo.class).getMetadataMap()).containsEntry("status", "429");
        assertThat(only(status, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(7);
        assertThat(only(status, BadRequest.class).getFieldViolationsCount()).isEqualTo(1);
    }

    private static <T extends com.google.protobuf.Message> T only(com.google.rpc.Status status, Class<T> type)
            throws InvalidProtocolBufferException {
        assertThat(count(status, type)).as("details of type " + type.getSimpleName()).isEqualTo(1);
        for (Any any : status.getDetailsList()) {
            if (any.is(type)) {
                return any.unpack(type);
            }
        }
        throw new AssertionError();
    }

    private static long count(com.google.rpc.Status status, Class<? extends com.google.protobuf.Message> type) {
        return status.getDetailsList().stream().filter(any -> any.is(type)).count();
    }
}
