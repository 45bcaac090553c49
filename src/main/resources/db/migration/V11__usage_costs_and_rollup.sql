-- Issue 19, usage and cost accounting. usage_records becomes the one append-only ledger of every provider call that
-- was paid for: the OpenAI door's stateless calls (source 'openai') and every turn's reply (source 'turn', inserted
-- by the statement that stores the reply). Amounts are micro-units of the configured currency (exact integers).
ALTER TABLE usage_records
    ADD COLUMN cached_tokens   integer NOT NULL DEFAULT 0,
    ADD COLUMN cost_micros     bigint  NOT NULL DEFAULT 0,
    ADD COLUMN estimated       boolean NOT NULL DEFAULT false,
    ADD COLUMN conversation_id uuid,
    ADD COLUMN message_id      uuid;

-- What the rollup reads: rows by time, across tenants.
CREATE INDEX usage_records_time ON usage_records (created_at);

-- Hourly sums per tenant, user, API key and model, written only by the rollup job (never by a turn).
CREATE TABLE usage_hourly (
    hour               timestamptz  NOT NULL,
    tenant_id          text         NOT NULL,
    user_id            text         NOT NULL,
    api_key_id         uuid,
    model              text         NOT NULL,
    requests           bigint       NOT NULL,
    prompt_tokens      bigint       NOT NULL,
    completion_tokens  bigint       NOT NULL,
    cached_tokens      bigint       NOT NULL,
    total_tokens       bigint       NOT NULL,
    cost_micros        bigint       NOT NULL,
    CONSTRAINT usage_hourly_key UNIQUE NULLS NOT DISTINCT (tenant_id, hour, user_id, api_key_id, model)
);

-- The rollup's watermark: every usage_records row created before rolled_until is in usage_hourly, none after it.
-- One row; the job locks it, so replicas running the job at once take turns and never count a row twice.
CREATE TABLE usage_rollup (
    id            integer      PRIMARY KEY CHECK (id = 1),
    rolled_until  timestamptz  NOT NULL
);
INSERT INTO usage_rollup (id, rolled_until) VALUES (1, '-infinity');
