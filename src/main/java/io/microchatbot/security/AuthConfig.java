package io.microchatbot.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How callers are identified (docs/security.md). The JWT verification itself (key or JWKS URL, issuer, audience,
 * algorithm, clock skew) is set with the CHATBOT_AUTH_* variables mapped onto mp.jwt.* in application.properties.
 */
@ConfigMapping(prefix = "chatbot.auth")
public interface AuthConfig {
    /** {@code jwt}: bearer JWTs or API keys; {@code none}: X-User-ID / X-Tenant-ID trusted as sent. */
    @WithDefault("jwt")
    Mode mode();

    /** Claim of a token holding the caller's tenant; a token without it belongs to the tenant "default". */
    @WithDefault("tenant_id")
    String tenantClaim();

    /** A token whose {@code scope} holds this and that has a {@code service} claim is a service token. */
    @WithDefault("internal")
    String serviceScope();

    /** Group (in {@code groups}) or scope (in {@code scope}) that grants the admin endpoints. */
    @WithDefault("admin")
    String adminRole();

    /** Accepted as {@code jwt} and {@code none} (SmallRye Config reads an enum in hyphenated lower case). */
    enum Mode {
        JWT,
        NONE
    }
}
