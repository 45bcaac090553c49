package io.microchatbot.security;

import java.util.List;

import io.microchatbot.testing.TokenIssuer;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The default deployment: CHATBOT_AUTH_MODE=jwt, tokens from the test issuer, API keys. */
public class JwtProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TokenIssuer.class));
    }
}
