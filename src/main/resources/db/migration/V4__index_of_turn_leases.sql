-- Every replica's turn recovery job looks for expired leases every 30 s (chatbot.turn.recovery-interval). Only
-- running or interrupted turns hold a lease, so a partial index keeps that look to a handful of rows however
-- many conversations there are. Not built CONCURRENTLY: that waits for every open transaction, including the one
-- holding Flyway's migration lock, and never ends. Writes to conversations wait while it is built (one scan).
CREATE INDEX IF NOT EXISTS conversations_turn_lease ON conversations (turn_lease_until)
    WHERE turn_lease_until IS NOT NULL;
