-- Metadata written by 0.1.0 snapshots was stored as a JSON string holding the object; store the object itself.
UPDATE messages SET metadata = (metadata #>> '{}')::jsonb WHERE jsonb_typeof(metadata) = 'string';
UPDATE conversations SET metadata = (metadata #>> '{}')::jsonb WHERE jsonb_typeof(metadata) = 'string';

-- Length limits are configuration (chatbot.limits.*), enforced before writing; the columns must not cap them
-- lower, and a provider may report a model name of any length.
ALTER TABLE conversations ALTER COLUMN title TYPE text, ALTER COLUMN model TYPE text;
ALTER TABLE messages ALTER COLUMN model TYPE text, ALTER COLUMN provider TYPE text, ALTER COLUMN finish_reason TYPE text;
