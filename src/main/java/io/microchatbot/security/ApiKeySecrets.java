package io.microchatbot.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key format {@code cbk_<prefix>_<secret>}: a 12-hex-digit prefix that finds the key, and 32 random bytes
 * (base64url) that prove it. Only the SHA-256 of the whole key is stored: the secret has 256 bits of entropy, so
 * a slow hash would add nothing.
 */
final class ApiKeySecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("cbk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");

    private ApiKeySecrets() {
    }

    record NewKey(String prefix, String key, String hash) {
    }

    static NewKey generate() {
        byte[] prefix = new byte[6];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(prefix);
        RANDOM.nextBytes(secret);
        String prefixHex = HexFormat.of().formatHex(prefix);
        String key = "cbk_" + prefixHex + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewKey(prefixHex, key, hash(key));
    }

    /** The prefix of a well-formed key. */
    static Optional<String> prefix(String key) {
        Matcher matcher = FORMAT.matcher(key == null ? "" : key);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in constant time. */
    static boolean matches(String key, String storedHash) {
        return MessageDigest.isEqual(hash(key).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
