CREATE TABLE conversations (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(128) NOT NULL,
    user_id          varchar(128) NOT NULL,
    title            varchar(200),
    system_prompt    text,
    model            varchar(100),
    metadata         jsonb        NOT NULL DEFAULT '{}'::jsonb,
    message_count    bigint       NOT NULL DEFAULT 0,
    turn_lease_until timestamptz,
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL
);

-- Serves "my conversations, newest first" as a keyset scan.
CREATE INDEX conversations_owner_keyset ON conversations (tenant_id, user_id, created_at DESC, id DESC);

CREATE TABLE messages (
    id                uuid PRIMARY KEY,
    conversation_id   uuid         NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tenant_id         varchar(128) NOT NULL,
    user_id           varchar(128) NOT NULL,
    message_type      varchar(16)  NOT NULL CHECK (message_type IN ('user', 'assistant', 'system')),
    status            varchar(16)  NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
    content           text         NOT NULL,
    metadata          jsonb        NOT NULL DEFAULT '{}'::jsonb,
    content_tokens    integer      NOT NULL DEFAULT 0,
    model             varchar(100),
    provider          varchar(100),
    finish_reason     varchar(64),
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    latency_ms        bigint,
    created_at        timestamptz  NOT NULL,
    updated_at        timestamptz  NOT NULL
);

-- Serves message pages in both directions and the newest-first context read.
CREATE INDEX messages_conversation_keyset ON messages (conversation_id, created_at, id);
