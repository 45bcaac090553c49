package io.microchatbot.testing;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.microchatbot.grpc.v1.ChatServiceGrpc;
import io.restassured.RestAssured;

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

    public static Metadata metadata(Map<String, String> entries) {
        Metadata metadata = new Metadata();
        entries.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER),
                value));
        return metadata;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
