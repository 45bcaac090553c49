-- API keys: only a SHA-256 of each secret is kept; the prefix identifies a key in lists and logs.
CREATE TABLE api_keys (
    id                   uuid         PRIMARY KEY,
    tenant_id            text         NOT NULL,
    name                 text         NOT NULL,
    prefix               text         NOT NULL UNIQUE,
    secret_hash          text         NOT NULL,
    scopes               text         NOT NULL,
    turn_rate            double precision,
    turn_capacity        integer,
    expires_at           timestamptz,
    revoked_at           timestamptz,
    last_used_at         timestamptz,
    created_by           text         NOT NULL,
    created_at           timestamptz  NOT NULL,
    rotated_at           timestamptz
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at DESC);
