package io.microchatbot.testing;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A token issuer for tests: RSA keys made at run time, their public halves served as a JWKS over HTTP on
 * 127.0.0.1, and tokens signed with them (never a checked-in key). {@link #rotate()} publishes a new signing key.
 */
public class TokenIssuer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "micro-chatbot-service";
    private static final List<SigningKey> KEYS = new CopyOnWriteArrayList<>();
    private static final Vertx VERTX = Vertx.vertx();
    private HttpServer server;

    public record SigningKey(String kid, KeyPair pair) {
    }

    @Override
    public Map<String, String> start() {
        KEYS.clear();
        KEYS.add(newKey("key-1"));
        try {
            server = VERTX.createHttpServer()
                    .requestHandler(request -> request.response().putHeader("Content-Type", "application/json")
                            .end(jwks().encode()))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the JWKS server", e);
        }
        return Map.of(
                "chatbot.auth.mode", "jwt",
                "mp.jwt.verify.publickey.location", "http://127.0.0.1:" + server.actualPort() + "/jwks.json",
                "mp.jwt.verify.issuer", ISSUER,
                "mp.jwt.verify.audiences", AUDIENCE,
                "smallrye.jwt.jwks.forced-refresh-interval", "0");
    }

    @Override
    public void stop() {
        server.close();
    }

    /** A new current signing key, published in the JWKS next to the old one. */
    public static SigningKey rotate() {
        SigningKey key = newKey("key-" + (KEYS.size() + 1));
        KEYS.add(key);
        return key;
    }

    public static SigningKey current() {
        return KEYS.get(KEYS.size() - 1);
    }

    /** A key nobody published: what a forged token is signed with. */
    public static SigningKey unpublished() {
        return newKey("ghost");
    }

    /** Claims of a valid user token of the tenant, to be changed by the caller before signing. */
    public static JwtClaimsBuilder user(String tenant, String user) {
        return Jwt.issuer(ISSUER).subject(user).audience(AUDIENCE).claim("tenant_id", tenant)
                .issuedAt(Instant.now()).expiresIn(Duration.ofMinutes(5));
    }

    /** Claims of a valid service token (scope internal, a service claim) of the tenant. */
    public static JwtClaimsBuilder service(String tenant, String service) {
        return Jwt.issuer(ISSUER).subject("svc-" + service).audience(AUDIENCE).claim("tenant_id", tenant)
                .claim("scope", "internal").claim("service", service)
                .issuedAt(Instant.now()).expiresIn(Duration.ofMinutes(5));
    }

    public static String sign(JwtClaimsBuilder claims) {
        return sign(claims, current());
    }

    public static String sign(JwtClaimsBuilder claims, SigningKey key) {
        return claims.jws().keyId(key.kid()).sign(key.pair().getPrivate());
    }

    /** A token with {@code alg: none} and no signature. */
    public static String unsigned(JwtClaimsBuilder claims) {
        String valid = sign(claims);
        String header = base64(new JsonObject().put("alg", "none").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));
        return header + "." + valid.split("\\.")[1] + ".";
    }

    /** The alg-confusion attack: HS256 with the RSA public key's bytes as the HMAC secret. */
    public static String hmacWithPublicKey(JwtClaimsBuilder claims) throws Exception {
        String valid = sign(claims);
        String header = base64(new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", current().kid())
                .encode().getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + valid.split("\\.")[1];
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(current().pair().getPublic().getEncoded(), "HmacSHA256"));
        return signingInput + "." + base64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A valid token whose payload was changed after signing (another subject). */
    public static String tampered(JwtClaimsBuilder claims, String otherSubject) {
        String[] parts = sign(claims).split("\\.");
        JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        payload.put("sub", otherSubject);
        return parts[0] + "." + base64(payload.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static JsonObject jwks() {
        JsonArray keys = new JsonArray();
        for (SigningKey key : KEYS) {
            RSAPublicKey rsa = (RSAPublicKey) key.pair().getPublic();
            keys.add(new JsonObject().put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", key.kid())
                    .put("n", base64(unsigned(rsa.getModulus()))).put("e", base64(unsigned(rsa.getPublicExponent()))));
        }
        return new JsonObject().put("keys", keys);
    }

    private static SigningKey newKey(String kid) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new SigningKey(kid, generator.generateKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
