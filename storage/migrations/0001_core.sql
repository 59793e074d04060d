-- Core tables of storage: tags, quality codes, events, the append-only audit log, ingest batch ids.

CREATE TABLE tags (
    name        text PRIMARY KEY,
    tag_group   text NOT NULL,
    unit        text NOT NULL DEFAULT '',
    data_type   text NOT NULL,
    device      text NOT NULL,
    address     text,
    range_min   double precision,
    range_max   double precision,
    deadband    double precision,
    equipment   text,
    description jsonb NOT NULL DEFAULT '{}'::jsonb,
    writable    boolean NOT NULL DEFAULT false,
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sample_quality (
    code smallint PRIMARY KEY,
    name text NOT NULL UNIQUE
);
INSERT INTO sample_quality (code, name) VALUES (0, 'good'), (1, 'bad'), (2, 'stale'), (3, 'comm_error');

CREATE TABLE events_log (
    id          bigserial PRIMARY KEY,
    time        timestamptz NOT NULL DEFAULT now(),
    event_type  text NOT NULL,
    severity    text NOT NULL,
    description text NOT NULL,
    context     jsonb NOT NULL DEFAULT '{}'::jsonb,
    resolved_at timestamptz,
    resolved_by text
);
CREATE INDEX events_log_time_idx ON events_log (time DESC);
CREATE INDEX events_log_open_idx ON events_log (event_type) WHERE resolved_at IS NULL;

CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    time    timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    action  text NOT NULL,
    target  text NOT NULL DEFAULT '',
    details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_time_idx ON audit_log (time DESC);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- One row per committed history batch, written in the same transaction as its rows:
-- a replayed spool batch whose id is here is skipped (no duplicates).
CREATE TABLE ingest_batches (
    batch_id     uuid PRIMARY KEY,
    rows         integer NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now()
);
