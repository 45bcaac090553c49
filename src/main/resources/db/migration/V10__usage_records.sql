-- Tokens used per answered call of the stateless OpenAI-compatible API (issue 18), one row each; issue 19
-- aggregates them per tenant and period. api_key_id is null for callers without a key.
CREATE TABLE usage_records (
    id                 uuid         PRIMARY KEY,
    tenant_id          text         NOT NULL,
    user_id            text         NOT NULL,
    api_key_id         uuid,
    source             text         NOT NULL,
    model              text         NOT NULL,
    provider           text         NOT NULL,
    prompt_tokens      integer      NOT NULL,
    completion_tokens  integer      NOT NULL,
    total_tokens       integer      NOT NULL,
    created_at         timestamptz  NOT NULL
);

CREATE INDEX usage_records_tenant_time ON usage_records (tenant_id, created_at);
