package io.microchatbot.idempotency;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The {@code idempotency_keys} table. Every statement is its own short transaction, and every time is the
 * database's, so that replicas with skewed clocks agree on leases and expiry.
 */
@ApplicationScoped
public class IdempotencyStore {

    /**
     * Inserts the key in progress, or takes over a row that counts as absent: expired, or in progress for the same
     * request past its lease (the pod running it died). Returns the owner when this request got the key.
     */
    private static final String CLAIM = """
            INSERT INTO idempotency_keys AS k (tenant_id, user_id, idempotency_key, fingerprint, status, owner,
                                               locked_until, created_at, expires_at)
            VALUES ($1, $2, $3, $4, 'in_progress', $5, now() + $6::text::interval, now(), now() + $7::text::interval)
            ON CONFLICT (tenant_id, user_id, idempotency_key) DO UPDATE
               SET fingerprint = EXCLUDED.fingerprint, status = 'in_progress', owner = EXCLUDED.owner,
                   locked_until = EXCLUDED.locked_until, outcome = NULL, created_at = EXCLUDED.created_at,
                   completed_at = NULL, expires_at = EXCLUDED.expires_at
             WHERE k.expires_at <= now()
                OR (k.status = 'in_progress' AND k.locked_until <= now() AND k.fingerprint = EXCLUDED.fingerprint)
            RETURNING owner""";
    private static final String FIND = """
            SELECT fingerprint, status, outcome::text AS outcome FROM idempotency_keys
             WHERE tenant_id = $1 AND user_id = $2 AND idempotency_key = $3 AND expires_at > now()""";
    private static final String COMPLETE = """
            UPDATE idempotency_keys
               SET status = 'completed', locked_until = NULL, completed_at = now(),
                   outcome = $5::text::jsonb
             WHERE tenant_id = $1 AND user_id = $2 AND idempotency_key = $3 AND owner = $4
               AND status = 'in_progress'""";
    private static final String RELEASE = """
            DELETE FROM idempotency_keys
             WHERE tenant_id = $1 AND user_id = $2 AND idempotency_key = $3 AND owner = $4
               AND status = 'in_progress'""";
    private static final String DELETE_EXPIRED = """
            DELETE FROM idempotency_keys
             WHERE (tenant_id, user_id, idempotency_key) IN (
                   SELECT tenant_id, user_id, idempotency_key FROM idempotency_keys
                    WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)""";
    /** A row can vanish between a refused claim and the read of it (expired, deleted, released): claim again. */
    private static final int CLAIM_ATTEMPTS = 3;

    private final Pool pool;
    private final ObjectMapper json;
    private final IdempotencyConfig config;

    IdempotencyStore(Pool pool, ObjectMapper json, IdempotencyConfig config) {
        this.pool = pool;
        this.json = json;
        this.config = config;
    }

    /** Takes the key for this request, or tells who has it; committed before the request's work starts. */
    Uni<Claim> claim(IdempotentRequest request) {
        return claim(request, 1);
    }

    private Uni<Claim> claim(IdempotentRequest request, int attempt) {
        UUID owner = UUID.randomUUID();
        Tuple claim = key(request)
                .addString(request.fingerprint().value())
                .addUUID(owner)
                .addString(interval(config.lockTimeout()))
                .addString(interval(config.ttl()));
        return pool.preparedQuery(CLAIM).execute(claim)
                .chain(rows -> rows.size() > 0
                        ? Uni.createFrom().<Claim> item(new Claim.Acquired(request, owner))
                        : existing(request))
                .chain(found -> found != null || attempt == CLAIM_ATTEMPTS
                        ? Uni.createFrom().item(found)
                        : claim(request, attempt + 1))
                .onItem().ifNull().failWith(() -> new IllegalStateException(
                        "The idempotency key was neither free nor held after " + CLAIM_ATTEMPTS + " attempts"));
    }

    private Uni<Claim> existing(IdempotentRequest request) {
        return pool.preparedQuery(FIND).execute(key(request))
                .map(rows -> rows.size() == 0 ? null : existing(rows.iterator().next()));
    }

    private Claim existing(Row row) {
        Fingerprint fingerprint = new Fingerprint(row.getString("fingerprint"));
        if (!"completed".equals(row.getString("status"))) {
            return new Claim.Existing(fingerprint, null);
        }
        try {
            return new Claim.Existing(fingerprint, json.readValue(row.getString("outcome"), Outcome.Recorded.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A recorded outcome cannot be read", e);
        }
    }

    /**
     * Records the outcome of the request holding the key. Never fails: an outcome that cannot be recorded is
     * logged, and the key stays in progress until its lease ends, when a retry runs the request again.
     */
    Uni<Void> complete(Claim.Acquired claim, Outcome.Recorded outcome) {
        return Uni.createFrom().item(() -> key(claim.request())
                .addUUID(claim.owner())
                .addString(write(outcome)))
                .chain(values -> pool.preparedQuery(COMPLETE).execute(values))
                .invoke(rows -> {
                    if (rows.rowCount() == 0) {
                        Log.warnf("Idempotency key of %s was taken over before its response was recorded",
                                claim.request().caller());
                    }
                })
                .onFailure().invoke(failure -> Log.warn("Could not record the outcome of an idempotent request;"
                        + " its key stays in progress until its lease ends", failure))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Gives the key back unrecorded, so that the same key can be sent again. Never fails (the lease ends anyway). */
    Uni<Void> release(Claim.Acquired claim) {
        return pool.preparedQuery(RELEASE).execute(key(claim.request()).addUUID(claim.owner()))
                .onFailure().invoke(failure -> Log.warn("Could not release an idempotency key; it stays in progress"
                        + " until its lease ends", failure))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Deletes up to {@code limit} expired keys; rows another replica is deleting are skipped. */
    Uni<Integer> deleteExpired(int limit) {
        return pool.preparedQuery(DELETE_EXPIRED).execute(Tuple.of(limit))
                .map(rows -> rows.rowCount());
    }

    private static Tuple key(IdempotentRequest request) {
        return Tuple.tuple()
                .addString(request.caller().tenantId())
                .addString(request.caller().userId())
                .addString(request.key().value());
    }

    private static String interval(Duration duration) {
        return duration.toMillis() + " milliseconds";
    }

    /** As its sealed type, so that the record says which kind of outcome it is. */
    private String write(Outcome.Recorded outcome) {
        try {
            return json.writerFor(Outcome.Recorded.class).writeValueAsString(outcome);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An outcome cannot be recorded", e);
        }
    }
}
