-- Idempotency-Key of POST /api/v1/conversations and POST /api/v1/conversations/{id}/messages, per caller.
-- A row is claimed (in_progress, with a lease) before the request's work starts, in its own transaction, and
-- completed with the response once the work has ended. See docs/api.md#idempotent-requests.
CREATE TABLE idempotency_keys (
    tenant_id        varchar(128) NOT NULL,
    user_id          varchar(128) NOT NULL,
    idempotency_key  varchar(255) NOT NULL,
    -- method, path, answer media type and SHA-256 of the canonical body: a reused key must match it
    fingerprint      text         NOT NULL,
    status           varchar(16)  NOT NULL CHECK (status IN ('in_progress', 'completed')),
    -- the one claim (request) allowed to complete the row; a new claim replaces it
    owner            uuid         NOT NULL,
    -- in_progress only: after this the claim is abandoned (its pod died) and the key may run again
    locked_until     timestamptz,
    response_status  integer,
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz  NOT NULL,
    completed_at     timestamptz,
    -- after this the key counts as never used; the cleanup job deletes the row
    expires_at       timestamptz  NOT NULL,
    PRIMARY KEY (tenant_id, user_id, idempotency_key),
    CHECK (status = 'in_progress' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);

-- Serves the cleanup job's scan for expired keys.
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
