-- The SQL of one non-streaming chat turn, as the service sends it (statement for statement, read off
-- PostgreSQL's statement log), for pgbench: the database's own ceiling in turns/s on this machine, with no
-- service in the way. bench/run runs it with -M prepared against the conversations the run created.
\set n random(1, :conversations)
SELECT id AS cid, tenant_id AS tid, user_id AS uid FROM bench_conversations WHERE n = :n \gset
-- First transaction: claim the conversation, store the user message and its event (history from the cache).
BEGIN;
SELECT id, created_at, message_count, metadata, model, system_prompt, tenant_id, title, turn_lease_until, updated_at, user_id
  FROM conversations WHERE id = :cid AND tenant_id = :tid AND user_id = :uid FOR NO KEY UPDATE;
INSERT INTO messages (completion_tokens, content, content_tokens, conversation_id, created_at, finish_reason, latency_ms,
  message_type, metadata, model, prompt_tokens, provider, status, tenant_id, total_tokens, updated_at, user_id, id)
  VALUES (NULL, 'hello', 1, :cid, clock_timestamp(), NULL, NULL, 'user', '{}', NULL, NULL, NULL, 'complete', :tid,
  NULL, clock_timestamp(), :uid, gen_random_uuid());
INSERT INTO outbox_events (conversation_id, created_at, envelope, event_id, event_type, published_at, tenant_id)
  VALUES (:cid, clock_timestamp(), '{"eventType":"chatbot.message-created","version":1,"data":{"content":"hello"}}',
  gen_random_uuid(), 'chatbot.message-created', NULL, :tid) RETURNING id;
UPDATE conversations SET message_count = message_count + 1, turn_lease_until = clock_timestamp() + interval '10 minutes',
  updated_at = clock_timestamp() WHERE id = :cid;
COMMIT;
-- Second transaction, after the LLM: store the reply and its event, give the conversation back.
BEGIN;
INSERT INTO messages (completion_tokens, content, content_tokens, conversation_id, created_at, finish_reason, latency_ms,
  message_type, metadata, model, prompt_tokens, provider, status, tenant_id, total_tokens, updated_at, user_id, id)
  VALUES (8, 'Token0 token1 token2 token3 token4 token5 token6 token7', 8, :cid, clock_timestamp(), 'stop', 1,
  'assistant', '{"status":"complete"}', 'sim-model', 32, 'openai-compatible', 'complete', :tid, 40,
  clock_timestamp(), :uid, gen_random_uuid());
UPDATE conversations SET message_count = message_count + 1, turn_lease_until = NULL, updated_at = clock_timestamp()
  WHERE id = :cid RETURNING message_count;
INSERT INTO outbox_events (conversation_id, created_at, envelope, event_id, event_type, published_at, tenant_id)
  VALUES (:cid, clock_timestamp(), '{"eventType":"chatbot.reply-completed","version":1,"data":{"content":"Token0"}}',
  gen_random_uuid(), 'chatbot.reply-completed', NULL, :tid) RETURNING id;
COMMIT;
