package io.microchatbot.pagination;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Signing of pagination cursors (chatbot.cursor.*). */
@ConfigMapping(prefix = "chatbot.cursor")
public interface CursorConfig {
    /**
     * HMAC key that signs pagination cursors. Set it (same value on every replica) in production;
     * when absent a random key is made at start and cursors do not survive a restart.
     */
    Optional<String> secret();
}
