-- An idempotency key records the typed outcome of its work (docs/adr/0012), not an HTTP response: every edge
-- (REST, commands, gRPC) writes it in its own terms, and REST replays stay the same bytes because the outcome keeps
-- the text of the view and the problem's correlation id. Recorded responses are converted in place.
ALTER TABLE idempotency_keys ADD COLUMN outcome jsonb;

UPDATE idempotency_keys k
   SET outcome = CASE
       WHEN k.response_status >= 400 THEN jsonb_strip_nulls(jsonb_build_object(
            'kind', 'refused',
            'code', b.problem ->> 'code',
            'detail', b.problem ->> 'detail',
            'retryAfterSeconds', (k.response_headers -> 'Retry-After' ->> 0)::integer,
            'errors', coalesce(b.problem -> 'errors', '[]'::jsonb),
            'instance', b.problem ->> 'instance',
            'correlationId', b.problem ->> 'correlation_id'))
       WHEN k.response_headers -> 'Content-Type' ->> 0 LIKE 'text/event-stream%'
            THEN jsonb_build_object('kind', 'transcript', 'events', b.text)
       ELSE jsonb_build_object('kind', 'answered', 'view', b.text,
            'location', k.response_headers -> 'Location' ->> 0)
       END
  FROM (SELECT tenant_id, user_id, idempotency_key, convert_from(response_body, 'UTF8') AS text,
               CASE WHEN response_status >= 400 THEN convert_from(response_body, 'UTF8')::jsonb END AS problem
          FROM idempotency_keys WHERE status = 'completed') b
 WHERE k.tenant_id = b.tenant_id AND k.user_id = b.user_id AND k.idempotency_key = b.idempotency_key;

ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_check;
ALTER TABLE idempotency_keys DROP COLUMN response_status, DROP COLUMN response_headers, DROP COLUMN response_body;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_completed_with_outcome
    CHECK (status = 'in_progress' OR outcome IS NOT NULL);
