package io.microchatbot.idempotency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a request asked for: method, path, the media type it is answered with, and the SHA-256 of its canonical
 * body. A key sent again must come with the same fingerprint, else it is being reused for another request.
 */
public record Fingerprint(String value) {

    static Fingerprint of(String method, String path, String answeredAs, byte[] canonicalBody) {
        return new Fingerprint(method + " " + path + " " + answeredAs + " sha256:" + sha256(canonicalBody));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
