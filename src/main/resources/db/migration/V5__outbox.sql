-- Transactional outbox: every state change writes its event here in its own transaction; the relay publishes them
-- to Redis Streams in id order and marks them published. Published rows are deleted after a retention period.
CREATE TABLE outbox_events (
    id              bigserial    PRIMARY KEY,
    event_id        uuid         NOT NULL UNIQUE,
    event_type      text         NOT NULL,
    tenant_id       text         NOT NULL,
    conversation_id uuid,
    envelope        jsonb        NOT NULL,
    created_at      timestamptz  NOT NULL,
    published_at    timestamptz
);

-- What the relay reads: the unpublished rows, oldest first. Stays small: rows leave it once published.
CREATE INDEX outbox_events_unpublished ON outbox_events (id) WHERE published_at IS NULL;
-- What the cleanup reads.
CREATE INDEX outbox_events_published_at ON outbox_events (published_at) WHERE published_at IS NOT NULL;
