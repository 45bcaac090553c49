package io.microchatbot.security;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.microchatbot.identity.Caller;
import io.microchatbot.identity.CallerHeaders;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Turns a request into an {@link Access}, by the deployment's {@code chatbot.auth.mode}:
 * <ul>
 * <li>{@code jwt}: a user token is its {@code sub} in the tenant of its tenant claim, and may not name another user
 * or tenant in headers (403); a service token (scope {@code internal} and a {@code service} claim) acts for the user
 * in {@code X-User-ID} (and tenant in {@code X-Tenant-ID}), the only kind of caller that may; an API key is itself a
 * caller of its tenant with its scopes. No credentials, or invalid ones: 401.</li>
 * <li>{@code none}: {@code X-User-ID} / {@code X-Tenant-ID} as sent, with every scope (the mesh authorizes).</li>
 * </ul>
 */
@ApplicationScoped
public class Authenticator {

    static final String JWT_USER = "jwt-user";
    static final String JWT_SERVICE = "jwt-service";
    static final String HEADERS = "headers";

    private final AuthConfig config;
    private final CurrentIdentityAssociation identities;

    Authenticator(AuthConfig config, CurrentIdentityAssociation identities) {
        this.config = config;
        this.identities = identities;
    }

    /** An HTTP request, its credentials read by the HTTP authentication mechanisms (bearer JWT, API key). */
    public Uni<Access> authenticate(HttpServerRequest request) {
        return authenticate(request::getHeader, identities::getDeferredIdentity);
    }

    /**
     * A request of any transport: {@code headers} are its headers (or gRPC metadata) by name, {@code identity}
     * what its credentials prove, asked for only when the mode needs it.
     */
    public Uni<Access> authenticate(RequestHeaders headers, Supplier<Uni<SecurityIdentity>> identity) {
        if (config.mode() == AuthConfig.Mode.NONE) {
            return Uni.createFrom().item(() -> Access.of(CallerHeaders.of(headers.get(CallerHeaders.TENANT_HEADER),
                    headers.get(CallerHeaders.USER_HEADER)), EnumSet.allOf(Scope.class), HEADERS));
        }
        return identity.get()
                .map(proven -> access(proven, headers));
    }

    private Access access(SecurityIdentity identity, RequestHeaders request) {
        if (identity.isAnonymous()) {
            throw new ApiException(ErrorCode.unauthenticated,
                    "Send a bearer token (Authorization: Bearer <JWT>) or an API key (X-API-Key)");
        }
        if (identity.getPrincipal() instanceof JsonWebToken token) {
            return fromToken(token, request);
        }
        if (identity.getPrincipal() instanceof ApiKeyPrincipal key) {
            return fromApiKey(key, request);
        }
        throw new ApiException(ErrorCode.unauthenticated, "Unsupported credentials");
    }

    private Access fromToken(JsonWebToken token, RequestHeaders request) {
        Set<String> grants = grants(token);
        String tokenTenant = token.containsClaim(config.tenantClaim())
                ? String.valueOf((Object) token.getClaim(config.tenantClaim()))
                : CallerHeaders.DEFAULT_TENANT;
        String userHeader = request.get(CallerHeaders.USER_HEADER);
        String tenantHeader = request.get(CallerHeaders.TENANT_HEADER);
        Set<Scope> scopes = EnumSet.of(Scope.chat, Scope.read);
        if (grants.contains(config.adminRole())) {
            scopes.add(Scope.admin);
        }
        if (grants.contains(config.serviceScope()) && token.containsClaim("service")) {
            String service = String.valueOf((Object) token.getClaim("service"));
            Caller caller = CallerHeaders.of(tenantHeader != null ? tenantHeader : tokenTenant,
                    userHeader != null ? userHeader : "service:" + service);
            return Access.of(caller, scopes, JWT_SERVICE);
        }
        String subject = token.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new ApiException(ErrorCode.unauthenticated, "The token has no subject");
        }
        if (userHeader != null && !userHeader.equals(subject)) {
            throw new ApiException(ErrorCode.forbidden, "A user token cannot act for another user (" + CallerHeaders.USER_HEADER
                    + "); only service tokens may");
        }
        if (tenantHeader != null && !tenantHeader.equals(tokenTenant)) {
            throw new ApiException(ErrorCode.forbidden, "A user token cannot act in another tenant ("
                    + CallerHeaders.TENANT_HEADER + ")");
        }
        return Access.of(CallerHeaders.of(tokenTenant, subject), scopes, JWT_USER);
    }

    private static Access fromApiKey(ApiKeyPrincipal key, RequestHeaders request) {
        if (request.get(CallerHeaders.USER_HEADER) != null) {
            throw new ApiException(ErrorCode.forbidden, "An API key cannot act for a user (" + CallerHeaders.USER_HEADER
                    + "); only service tokens may");
        }
        String tenantHeader = request.get(CallerHeaders.TENANT_HEADER);
        if (tenantHeader != null && !tenantHeader.equals(key.tenantId())) {
            throw new ApiException(ErrorCode.forbidden, "An API key cannot act in another tenant");
        }
        return new Access(new Caller(key.tenantId(), key.getName()), key.scopes(), "api-key", key.id().toString(),
                key.turnRate(), key.turnCapacity());
    }

    /** Space-separated {@code scope} claim and the {@code groups} claim together. */
    private static Set<String> grants(JsonWebToken token) {
        Set<String> grants = new HashSet<>(token.getGroups() == null ? Set.of() : token.getGroups());
        Object scope = token.getClaim("scope");
        if (scope != null) {
            String text = scope instanceof JsonString json ? json.getString() : scope.toString();
            for (String part : text.split(" ")) {
                if (!part.isBlank()) {
                    grants.add(part);
                }
            }
        }
        return grants;
    }
}
