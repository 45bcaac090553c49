-- Outgoing webhooks (docs/webhooks.md). A tenant registers URLs for event types; every event of that tenant read
-- from the chatbot.events stream becomes one delivery per subscribed webhook, which the dispatcher sends and retries.
CREATE TABLE webhooks (
    id          uuid         PRIMARY KEY,
    tenant_id   varchar(128) NOT NULL,
    -- the user who registered it; any user of the tenant may manage it
    created_by  varchar(128) NOT NULL,
    url         text         NOT NULL,
    -- event types ('chatbot.reply-completed', ...), or the single entry '*' for every type
    event_types text[]       NOT NULL CHECK (cardinality(event_types) > 0),
    -- key of the X-Chatbot-Signature HMAC: kept in clear because signing needs it; shown only in the create answer
    secret      text         NOT NULL,
    description text,
    -- only active webhooks get new deliveries
    active      boolean      NOT NULL DEFAULT true,
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL
);

-- Serves the tenant's list, and the fan-out of each event to the tenant's webhooks.
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    webhook_id       uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    -- the event's envelope exactly as read from the stream: the body of every attempt
    payload          text        NOT NULL,
    -- attempts started so far; counted when an attempt is claimed, so that one lost with its pod counts too
    attempts         integer     NOT NULL DEFAULT 0,
    status           varchar(16) NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    last_status_code integer,
    last_error       text,
    -- pending only: when the next attempt is due; while an attempt runs, when its claim expires
    next_attempt_at  timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL,
    -- a stream entry read twice (the stream is at-least-once) never makes a second delivery
    UNIQUE (webhook_id, event_id),
    CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL)
);

-- The dispatcher's look for due deliveries: only pending rows are in it, however long the log grows.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- A webhook's delivery log, newest first, read by keyset.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
