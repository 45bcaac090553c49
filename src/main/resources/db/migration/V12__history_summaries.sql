-- History compaction (issue 19): a summary is a stored system message of kind 'summary' that stands, in later
-- prompts, for the messages it covers (from covers_from_id to covers_to_id, covers_count of them, the newest created
-- at covers_until). Nothing is deleted: the covered messages stay and pages return them.
ALTER TABLE messages
    ADD COLUMN kind           varchar(16) CHECK (kind IN ('summary')),
    ADD COLUMN covers_from_id uuid,
    ADD COLUMN covers_to_id   uuid,
    ADD COLUMN covers_until   timestamptz,
    ADD COLUMN covers_count   integer,
    ADD CONSTRAINT messages_summary_check CHECK (kind IS NULL OR (message_type = 'system'
        AND covers_from_id IS NOT NULL AND covers_to_id IS NOT NULL AND covers_until IS NOT NULL
        AND covers_count > 0));

-- The newest summary's covers_until: checked and moved by the summary's own insert, under the conversation's row
-- lock, so that two replicas compacting the same history at once store one summary, never a stale one after it.
ALTER TABLE conversations ADD COLUMN summarized_until timestamptz;
