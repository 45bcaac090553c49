-- Tool calling (issue 18): a reply may ask for tool calls, a tool message answers one, and a reply that does not
-- match the requested response format is stored as 'invalid'. Both new columns are null on every other message.
ALTER TABLE messages
    DROP CONSTRAINT messages_message_type_check,
    ADD CONSTRAINT messages_message_type_check CHECK (message_type IN ('user', 'assistant', 'system', 'tool')),
    DROP CONSTRAINT messages_status_check,
    ADD CONSTRAINT messages_status_check CHECK (status IN ('complete', 'incomplete', 'failed', 'invalid')),
    ADD COLUMN tool_calls jsonb,
    ADD COLUMN tool_call_id text;

-- A conversation's defaults for its turns: tools, tool_choice and response_format, as the API took them.
ALTER TABLE conversations ADD COLUMN generation jsonb;
