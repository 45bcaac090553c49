package io.microchatbot.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.security.Access;
import io.microchatbot.security.ApiKeyRequest;
import io.microchatbot.security.Authenticator;
import io.microchatbot.security.RequestHeaders;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.smallrye.mutiny.Uni;

/**
 * A call's caller, by the same rules as REST's ({@link Authenticator}): its credentials come from the metadata
 * ({@code x-api-key}, else {@code authorization: Bearer <JWT>}) and are proven by the same identity providers.
 */
@ApplicationScoped
class GrpcAuthenticator {

    static final String API_KEY = "x-api-key";
    static final String AUTHORIZATION = "authorization";
    private static final String BEARER = "Bearer ";

    private final Authenticator authenticator;
    private final IdentityProviderManager identities;

    GrpcAuthenticator(Authenticator authenticator, IdentityProviderManager identities) {
        this.authenticator = authenticator;
        this.identities = identities;
    }

    Uni<Access> authenticate(RequestHeaders metadata) {
        return authenticator.authenticate(metadata, () -> identity(metadata))
                .onFailure(AuthenticationFailedException.class)
                .transform(refused -> new ApiException(ErrorCode.unauthenticated, "The credentials were refused"
                        + " (invalid, expired, not yet valid, revoked or from an untrusted issuer)"));
    }

    private Uni<SecurityIdentity> identity(RequestHeaders metadata) {
        String apiKey = metadata.get(API_KEY);
        if (apiKey != null) {
            return identities.authenticate(new ApiKeyRequest(apiKey));
        }
        String authorization = metadata.get(AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).trim();
            // The JWT provider only takes its own credential type; a plain TokenCredential is passed over by every
            // provider, and a valid token refused.
            return identities.authenticate(new TokenAuthenticationRequest(new JsonWebTokenCredential(token)));
        }
        return Uni.createFrom().failure(new ApiException(ErrorCode.unauthenticated,
                "Send a bearer token (authorization: Bearer <JWT>) or an API key (x-api-key) in the call's metadata"));
    }
}
