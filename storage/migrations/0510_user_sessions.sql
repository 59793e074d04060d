-- A user's session epoch: every chat/dashboard session carries the epoch it was opened in; changing the
-- user's role, password or status bumps it, which ends the sessions opened before.
ALTER TABLE ui_users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;
