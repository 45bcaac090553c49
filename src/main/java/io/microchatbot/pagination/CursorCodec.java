package io.microchatbot.pagination;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

/**
 * Opaque keyset cursors: the last row's position, the listing it belongs to (a conversation, or a caller's list)
 * and the sort direction, signed with HMAC-SHA256 so that a cursor cannot be forged, edited or replayed on
 * another listing. Positions are kept to the microsecond, PostgreSQL's precision.
 */
@ApplicationScoped
@Startup
public class CursorCodec {

    private static final String VERSION = "c1";
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    CursorCodec(CursorConfig config) {
        byte[] secret = config.secret()
                .filter(s -> !s.isBlank())
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> {
                    Log.warn("CHATBOT_CURSOR_SECRET is not set: pagination cursors are signed with a random key and stop"
                            + " working after a restart or on another replica");
                    byte[] random = new byte[32];
                    new SecureRandom().nextBytes(random);
                    return random;
                });
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String encode(String listing, boolean ascending, Position position) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, position.createdAt());
        String payload = String.join("|", VERSION, listing, ascending ? "a" : "d", Long.toString(micros),
                position.id().toString());
        return signed(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor points at; 400 invalid_cursor when it was altered or belongs elsewhere. */
    public Position decode(String cursor, String listing, boolean ascending) {
        try {
            int dot = cursor.indexOf('.');
            if (dot <= 0 || cursor.length() > 512) {
                throw invalid();
            }
            byte[] body = DECODER.decode(cursor.substring(0, dot));
            // Compared as the whole cursor string rather than as decoded bytes: Base64 decoding ignores the unused
            // low bits of the last character, so several spellings would otherwise pass for one signed cursor.
            if (!MessageDigest.isEqual(cursor.getBytes(StandardCharsets.UTF_8),
                    signed(body).getBytes(StandardCharsets.UTF_8))) {
                throw invalid();
            }
            String[] parts = new String(body, StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 5 || !VERSION.equals(parts[0])) {
                throw invalid();
            }
            if (!parts[1].equals(listing)) {
                throw new ApiException(ErrorCode.invalid_cursor, "The cursor belongs to another listing");
            }
            if (!parts[2].equals(ascending ? "a" : "d")) {
                throw new ApiException(ErrorCode.invalid_cursor, "The cursor was issued for the other sort order");
            }
            Instant createdAt = Instant.EPOCH.plus(Long.parseLong(parts[3]), ChronoUnit.MICROS);
            return new Position(createdAt, UUID.fromString(parts[4]));
        } catch (IllegalArgumentException malformed) {
            throw invalid();
        }
    }

    /** The one spelling of a cursor: payload and signature, each unpadded base64url. */
    private String signed(byte[] body) {
        return ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(mac(body));
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Arrays.copyOf(mac.doFinal(body), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static ApiException invalid() {
        return new ApiException(ErrorCode.invalid_cursor, "The cursor is malformed or was altered");
    }
}
