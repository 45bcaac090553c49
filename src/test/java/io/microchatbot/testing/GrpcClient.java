package io.microchatbot.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.microchatbot.grpc.v1.ChatServiceGrpc;
import io.restassured.RestAssured;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real gRPC client (grpc-java over Netty, HTTP/2 cleartext) to the service under test, on its HTTP port: stubs
 * that send the given metadata with every call.
 */
public final class GrpcClient implements AutoCloseable {

    private final ManagedChannel channel;

    public GrpcClient() {
        this(RestAssured.port);
    }

    public GrpcClient(int port) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** The status grpc.health.v1 gives for a service ("" for the server as a whole). */
    public ServingStatus health(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    /** A blocking stub that sends these metadata entries (e.g. x-user-id) with every call. */
    public ChatServiceGrpc.ChatServiceBlockingStub blocking(Map<String, String> metadata) {
        return ChatServiceGrpc.newBlockingStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(metadata)));
    }

    /**
     * As {@link #blocking(Map)}, keeping the response headers and trailers of each call (of a failed call as well)
     * in {@code headers} and {@code trailers}.
     */
    public ChatServiceGrpc.ChatServiceBlockingStub blocking(Map<String, String> metadata,
            AtomicReference<Metadata> headers, AtomicReference<Metadata> trailers) {
        return ChatServiceGrpc.newBlockingStub(channel).withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
                MetadataUtils.newAttachHeadersInterceptor(metadata(metadata)));
    }

    public ChatServiceGrpc.ChatServiceStub async(Map<String, String> metadata) {
        return ChatServiceGrpc.newStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(metadata)));
    }

    /** The caller's identity as a mesh that authenticates by mTLS sends it (auth mode none). */
    public ChatServiceGrpc.ChatServiceBlockingStub as(String user) {
        return blocking(Map.of("x-user-id", user));
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** The google.rpc.Status details of a failed call. */
    public static com.google.rpc.Status details(StatusRuntimeException failure) {
        return StatusProto.fromThrowable(failure);
    }

    /** The detail of that type in a failed call's google.rpc.Status, if it carries one (at most one may). */
    public static <T extends com.google.protobuf.Message> Optional<T> detail(StatusRuntimeException failure,
            Class<T> type) {
        com.google.rpc.Status status = details(failure);
        assertThat(status).as("google.rpc.Status details of " + failure.getStatus()).isNotNull();
        List<T> found = new ArrayList<>();
        for (Any any : status.getDetailsList()) {
            if (any.is(type)) {
                try {
                    found.add(any.unpack(type));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("Undecodable " + type.getSimpleName(), e);
                }
            }
        }
        assertThat(found).as(type.getSimpleName() + " details").hasSizeLessThanOrEqualTo(1);
        return found.stream().findFirst();
    }

    /**
     * Checks a failed call's status code and its ErrorInfo (reason = the stable error code, the service's domain,
     * the REST status in the metadata) and answers the ErrorInfo.
     */
    public static ErrorInfo assertStatus(StatusRuntimeException failure, Status.Code code, String reason) {
        assertThat(failure.getStatus().getCode()).as("status of " + failure.getStatus()).isEqualTo(code);
        com.google.rpc.Status status = details(failure);
        assertThat(status.getCode()).isEqualTo(code.value());
        assertThat(status.getMessage()).isEqualTo(failure.getStatus().getDescription()).isNotBlank();
        ErrorInfo info = detail(failure, ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo"));
        assertThat(info.getReason()).isEqualTo(reason);
        assertThat(info.getDomain()).isEqualTo("micro-chatbot-service");
        assertThat(info.getMetadataMap()).containsKey("status").containsKey("correlation_id");
        assertThat(status.getMessage()).as("no internals in the message")
                .doesNotContain("Exception").doesNotContain("io.microchatbot").doesNotContain("\tat ");
        return info;
    }

    /** The fields of a failed call's BadRequest violations, in order; empty when it carries none. */
    public static List<String> violatedFields(StatusRuntimeException failure) {
        return detail(failure, BadRequest.class).map(bad -> bad.getFieldViolationsList().stream()
                .map(BadRequest.FieldViolation::getField).toList()).orElse(List.of());
    }

    /** The RetryInfo delay of a failed call, if it carries one. */
    public static Optional<Duration> retryDelay(StatusRuntimeException failure) {
        return detail(failure, RetryInfo.class).map(info -> Duration.ofSeconds(info.getRetryDelay().getSeconds(),
                info.getRetryDelay().getNanos()));
    }

    public static Metadata metadata(Map<String, String> entries) {
        Metadata metadata = new Metadata();
        entries.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER),
                value));
        return metadata;
    }

    /** A server stream's messages as they arrive, and how it ended. */
    public static final class Recorder<T> implements StreamObserver<T> {

        private final LinkedBlockingQueue<T> messages = new LinkedBlockingQueue<>();
        private final List<T> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final CompletableFuture<Status> end = new CompletableFuture<>();

        @Override
        public void onNext(T value) {
            all.add(value);
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }

        /** The next message, waiting up to 10 s for it. */
        public T next() throws InterruptedException {
            T next = messages.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a stream message within 10 s (ended: " + end.getNow(null) + ")").isNotNull();
            return next;
        }

        /** How the stream ended, waiting up to 10 s for it. */
        public Status end() throws Exception {
            return end.get(10, TimeUnit.SECONDS);
        }

        /** Every message received, once the stream ended OK. */
        public List<T> completed() throws Exception {
            Status status = end();
            assertThat(status.getCode()).as("end of the stream: " + status).isEqualTo(Status.Code.OK);
            return List.copyOf(all);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
