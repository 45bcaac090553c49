package io.microchatbot.webhook;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    private static final String SECRET = "test-secret-0123456789abcdefghijklmnop";
    private static final String BODY = "{\"eventType\":\"chatbot.reply-completed\","
            + "\"eventId\":\"6f1c2b9e-8d4a-4c3e-9b7f-2a1d0e5c4b3a\"}";

    @Test
    void signatureIsTheHexHmacOfTimeDotBodyAsOpensslComputesIt() {
        // printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex (the docs' example)
        assertThat(WebhookSignature.header(SECRET, 1_700_000_000L, BODY)).isEqualTo("t=1700000000,"
                + "v1=91d9f67a6284256b7f580f9c6f61b9b2cdb39923765bae456c86e4a946ad6c90");
    }

    @Test
    void anotherTimeOrBodyOrSecretSignsDifferently() {
        String signed = WebhookSignature.header(SECRET, 1_700_000_000L, BODY);
        assertThat(WebhookSignature.header(SECRET, 1_700_000_001L, BODY)).isNotEqualTo(signed);
        assertThat(WebhookSignature.header(SECRET, 1_700_000_000L, BODY + " ")).isNotEqualTo(signed);
        assertThat(WebhookSignature.header(SECRET + "x", 1_700_000_000L, BODY)).isNotEqualTo(signed);
    }

    @Test
    void generatedSecretsAre32RandomBytesInBase64Url() {
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String secret = WebhookSignature.newSecret();
            assertThat(secret).matches("[A-Za-z0-9_-]{43}");
            secrets.add(secret);
        }
        assertThat(secrets).hasSize(100);
    }
}
