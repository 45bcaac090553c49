package io.microchatbot.security;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/**
 * API keys of a tenant: created, listed, rotated and revoked by its admins, verified on every request that sends
 * one. A key of another tenant is simply absent (404).
 */
@ApplicationScoped
public class ApiKeys implements PanacheRepositoryBase<ApiKey, UUID> {

    /** A new key and its secret, which is shown this once. */
    public record Issued(ApiKey key, String secret) {
    }

    @WithTransaction
    public Uni<Issued> create(Caller admin, String name, Set<Scope> scopes, Instant expiresAt, Double turnRate,
            Integer turnCapacity) {
        ApiKeySecrets.NewKey secret = ApiKeySecrets.generate();
        ApiKey key = new ApiKey();
        key.id = UUID.randomUUID();
        key.tenantId = admin.tenantId();
        key.name = name;
        key.prefix = secret.prefix();
        key.secretHash = secret.hash();
        key.scopes = scopes.stream().map(Scope::name).sorted().collect(Collectors.joining(" "));
        key.expiresAt = expiresAt;
        key.turnRate = turnRate;
        key.turnCapacity = turnCapacity;
        key.createdBy = admin.userId();
        key.createdAt = now();
        return persist(key).map(stored -> new Issued(stored, secret.key()));
    }

    @WithSession
    public Uni<List<ApiKey>> list(Caller admin) {
        return find("tenantId", Sort.descending("createdAt", "id"), admin.tenantId()).list();
    }

    /** A new secret for the key; the old one stops working at once. */
    @WithTransaction
    public Uni<Issued> rotate(Caller admin, UUID id) {
        return owned(admin, id)
                .map(key -> {
                    if (key.revokedAt != null) {
                        throw ApiException.invalid("id", "the key is revoked; create a new one");
                    }
                    ApiKeySecrets.NewKey secret = ApiKeySecrets.generate();
                    key.prefix = secret.prefix();
                    key.secretHash = secret.hash();
                    key.rotatedAt = now();
                    return new Issued(key, secret.key());
                });
    }

    @WithTransaction
    public Uni<Void> revoke(Caller admin, UUID id) {
        return owned(admin, id)
                .invoke(key -> {
                    if (key.revokedAt == null) {
                        key.revokedAt = now();
                    }
                })
                .replaceWithVoid();
    }

    /**
     * The caller behind a key, or null when the key is malformed, unknown, revoked or expired. Records when it was
     * last used, at most once a minute.
     */
    @WithTransaction
    public Uni<ApiKeyPrincipal> verify(String presented) {
        var prefix = ApiKeySecrets.prefix(presented);
        if (prefix.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        Instant now = now();
        return find("prefix", prefix.get()).<ApiKey> firstResult()
                .map(key -> key == null || !ApiKeySecrets.matches(presented, key.secretHash) || key.revokedAt != null
                        || (key.expiresAt != null && !key.expiresAt.isAfter(now)) ? null : key)
                .onItem().ifNotNull().invoke(key -> {
                    if (key.lastUsedAt == null || key.lastUsedAt.isBefore(now.minus(1, ChronoUnit.MINUTES))) {
                        key.lastUsedAt = now;
                    }
                })
                .onItem().ifNotNull().transform(key -> new ApiKeyPrincipal(key.id, key.tenantId, key.prefix,
                        scopes(key.scopes), key.turnRate, key.turnCapacity));
    }

    static Set<Scope> scopes(String stored) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(stored.split(" ")).filter(s -> !s.isBlank()).map(Scope::valueOf).forEach(scopes::add);
        return scopes;
    }

    private Uni<ApiKey> owned(Caller admin, UUID id) {
        return find("id = :id and tenantId = :tenant", Parameters.with("id", id).and("tenant", admin.tenantId()))
                .<ApiKey> firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("API key"));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
