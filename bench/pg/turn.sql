-- The SQL of one non-streaming chat turn, as the service sends it (repository.TurnStatements, statement for
-- statement), for pgbench: the database's own ceiling in turns/s on this machine, with no service in the way.
-- bench/run runs it with -M prepared against the conversations the run created. Three statements, each its own
-- transaction: read the conversation (the context comes from the cache at the same time), claim it with the user
-- message and its event, then, after the LLM, the reply with its event.
\set n random(1, :conversations)
SELECT id AS cid, tenant_id AS tid, user_id AS uid FROM bench_conversations WHERE n = :n \gset
-- (coalesce only because \gset refuses NULLs; the service reads the same columns as they are)
SELECT coalesce(system_prompt, '') AS sp, coalesce(model, '') AS model, message_count,
       coalesce(turn_lease_until::text, '') AS lease
  FROM conversations WHERE id = :cid AND tenant_id = :tid AND user_id = :uid \gset
WITH claimed AS (
    UPDATE conversations
       SET turn_lease_until = clock_timestamp() + interval '10 minutes', message_count = message_count + 1,
           updated_at = clock_timestamp()
     WHERE id = :cid AND tenant_id = :tid AND user_id = :uid
       AND message_count = :message_count
       AND (turn_lease_until IS NULL OR turn_lease_until <= clock_timestamp())
 RETURNING id, message_count),
stored AS (
    INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                          metadata, content_tokens, created_at, updated_at)
    SELECT gen_random_uuid(), id, :tid, :uid, 'user', 'complete', 'hello', cast('{}' AS text)::jsonb, 1,
           clock_timestamp(), clock_timestamp() FROM claimed),
event AS (
    INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
    SELECT gen_random_uuid(), 'chatbot.message-created', :tid, id,
           cast('{"eventType":"chatbot.message-created","version":1,"data":{"content":"hello"}}' AS text)::jsonb,
           clock_timestamp() FROM claimed)
SELECT message_count FROM claimed;
WITH stored AS (
    INSERT INTO messages (id, conversation_id, tenant_id, user_id, message_type, status, content,
                          metadata, content_tokens, model, provider, finish_reason, prompt_tokens,
                          completion_tokens, total_tokens, latency_ms, created_at, updated_at)
    VALUES (gen_random_uuid(), :cid, :tid, :uid, 'assistant', 'complete',
            'Token0 token1 token2 token3 token4 token5 token6 token7', cast('{"status":"complete"}' AS text)::jsonb,
            8, 'sim-model', 'openai-compatible', 'stop', 32, 8, 40, 1, clock_timestamp(), clock_timestamp())
    RETURNING conversation_id),
counted AS (
    UPDATE conversations c
       SET message_count = c.message_count + 1, updated_at = clock_timestamp(),
           turn_lease_until = NULL
      FROM stored WHERE c.id = stored.conversation_id
 RETURNING c.id, c.message_count),
event AS (
    INSERT INTO outbox_events (event_id, event_type, tenant_id, conversation_id, envelope, created_at)
    SELECT gen_random_uuid(), 'chatbot.reply-completed', :tid, id,
           cast('{"eventType":"chatbot.reply-completed","version":1,"data":{"content":"Token0"}}' AS text)::jsonb,
           clock_timestamp() FROM counted)
SELECT message_count FROM counted;
