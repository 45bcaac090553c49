package io.microchatbot.models;

import io.microchatbot.security.Access;

/**
 * Who asks for a model, as far as the allow-list cares: the tenant, and the API key when the caller came with one
 * (null otherwise: a token or mesh headers).
 */
public record Requester(String tenantId, String apiKeyId) {

    public static Requester of(Access access) {
        return new Requester(access.caller().tenantId(), access.apiKeyId());
    }

    public static Requester ofTenant(String tenantId) {
        return new Requester(tenantId, null);
    }
}
