package io.microchatbot.security;

import java.util.Set;

import io.microchatbot.identity.Caller;

/**
 * An authenticated caller: the tenant and user every read and write is scoped to, what it may do, and how it got
 * in ({@code jwt-user}, {@code jwt-service}, {@code api-key}, {@code headers}).
 *
 * @param apiKeyId the API key's id when it came with one, else null
 * @param turnRate a per-key override of the turns per second, else null
 * @param turnCapacity a per-key override of the turn burst, else null
 */
public record Access(Caller caller, Set<Scope> scopes, String via, String apiKeyId, Double turnRate,
        Integer turnCapacity) {

    public static Access of(Caller caller, Set<Scope> scopes, String via) {
        return new Access(caller, scopes, via, null, null, null);
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }
}
