package io.microchatbot.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/** Says at start how callers are authenticated, loudly when that trusts the network or cannot verify tokens. */
@ApplicationScoped
public class AuthStartupCheck {

    void check(@Observes StartupEvent event, AuthConfig config,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> keys,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer) {
        if (config.mode() == AuthConfig.Mode.NONE) {
            Log.warn("CHATBOT_AUTH_MODE=none: callers are taken from X-User-ID / X-Tenant-ID as sent. Run this only"
                    + " behind a mesh that enforces mTLS and an authorization policy on who may call");
            return;
        }
        if (keys.isEmpty() || issuer.isEmpty()) {
            Log.error(
                    "CHATBOT_AUTH_MODE=jwt without MP_JWT_VERIFY_PUBLICKEY_LOCATION and MP_JWT_VERIFY_ISSUER: every bearer token"
                            + " will be refused; only API keys can authenticate");
        } else {
            Log.infof("Callers authenticate with bearer JWTs from issuer %s or with API keys", issuer.get());
        }
    }
}
