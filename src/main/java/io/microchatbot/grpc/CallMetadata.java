package io.microchatbot.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.microchatbot.security.RequestHeaders;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Keeps each call's metadata (credentials, caller headers, {@code idempotency-key}, {@code grpc-timeout}) where the
 * service methods read it: the gRPC context of the call. Only reading happens here; authentication and the rest
 * run in the call's own pipeline ({@link GrpcCalls}), which is reactive.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallMetadata implements ServerInterceptor {

    private static final Context.Key<Metadata> METADATA = Context.key("microchatbot.metadata");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(METADATA, headers), call, headers, next);
    }

    /** The metadata of the call being dispatched; read it when the service method is entered. */
    static Headers current() {
        Metadata metadata = METADATA.get();
        return new Headers(metadata == null ? new Metadata() : metadata);
    }

    /** A call's ASCII metadata entries by name. */
    record Headers(Metadata metadata) implements RequestHeaders {

        @Override
        public String get(String name) {
            return metadata.get(key(name));
        }

        /** Every value sent under the name, in order; empty when none. */
        List<String> all(String name) {
            Iterable<String> values = metadata.getAll(key(name));
            List<String> all = new ArrayList<>();
            if (values != null) {
                values.forEach(all::add);
            }
            return all;
        }

        private static Metadata.Key<String> key(String name) {
            return Metadata.Key.of(name.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER);
        }
    }
}
