package io.microchatbot.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped under {@code src/main/resources/redis/}, run by its SHA-1 (EVALSHA) so that its text crosses
 * the network only when Redis does not know it yet (after a restart or a failover).
 */
public record LuaScript(String name, String text, String sha1) {

    public static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/redis/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("Missing Lua script redis/" + name + ".lua");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new LuaScript(name, text, sha1(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
