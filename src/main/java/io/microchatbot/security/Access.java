package io.microchatbot.security;

import java.util.Set;

import org.jboss.logging.MDC;

import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

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

    /** This access, when it allows {@code needed}; 403 forbidden otherwise. */
    public Access require(Scope needed) {
        if (!allows(needed)) {
            throw new ApiException(ErrorCode.forbidden, "This needs the '" + needed + "' scope");
        }
        return this;
    }

    /** Names the caller in every log line of the request from here on (never a credential). */
    public void nameInLogs() {
        MDC.put("tenant_id", caller.tenantId());
        MDC.put("user_id", caller.userId());
    }
}
