-- The last sample stored per tag (the reference of exception recording, read back after a restart) and
-- the newest sample collected and committed per tag (a journal replay skips what is older: filtered
-- samples are in the rollup but not in tag_history). Written in the same transaction as each batch.

CREATE TABLE tag_history_last (
    tag            text PRIMARY KEY,
    stored_time    timestamptz,
    stored_value   double precision,
    stored_quality smallint,
    seen_time      timestamptz NOT NULL
);
