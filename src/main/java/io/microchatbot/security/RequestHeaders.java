package io.microchatbot.security;

/** A request's headers by name (case-insensitive), whatever its transport: HTTP headers or gRPC metadata. */
@FunctionalInterface
public interface RequestHeaders {

    /** The header's value, or null when it was not sent. */
    String get(String name);
}
