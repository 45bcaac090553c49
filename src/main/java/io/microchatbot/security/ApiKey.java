package io.microchatbot.security;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An API key of a tenant; its secret is never stored, only its SHA-256. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(nullable = false)
    public String name;

    /** Shown in lists to tell keys apart; the first part of the key after {@code cbk_}; changes on rotation. */
    @Column(nullable = false)
    public String prefix;

    @Column(name = "secret_hash", nullable = false)
    public String secretHash;

    /** Space-separated {@link Scope} names. */
    @Column(nullable = false)
    public String scopes;

    @Column(name = "turn_rate")
    public Double turnRate;

    @Column(name = "turn_capacity")
    public Integer turnCapacity;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "created_by", nullable = false, updatable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "rotated_at")
    public Instant rotatedAt;
}
