package io.microchatbot.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The {@code X-API-Key} a request came with; {@link #toString()} never shows it. */
public final class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;

    public ApiKeyRequest(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return "ApiKeyRequest[redacted]";
    }
}
