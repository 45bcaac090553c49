package io.microchatbot.security;

import java.security.Principal;
import java.util.Set;
import java.util.UUID;

/** The caller behind a valid API key: named {@code apikey:<key id>} in its tenant, the same across rotations. */
public record ApiKeyPrincipal(UUID id, String tenantId, String prefix, Set<Scope> scopes, Double turnRate,
        Integer turnCapacity) implements Principal {

    @Override
    public String getName() {
        return "apikey:" + id;
    }
}
