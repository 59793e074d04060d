-- The copilot's command requests (agent/commands): one row per request, moved through its states by
-- guarded UPDATEs (pending -> approved -> executing -> verified|failed|aborted; pending -> rejected|expired),
-- so a resumed or repeated approval can never write twice. Every step is also in audit_log.
CREATE TABLE copilot_commands (
    id             text PRIMARY KEY,
    command        text NOT NULL,
    tag            text NOT NULL,
    value          jsonb NOT NULL,
    status         text NOT NULL,
    thread_id      text NOT NULL,
    requested_by   text NOT NULL,
    requested_role text NOT NULL,
    requested_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    summary        jsonb NOT NULL,
    snapshot       jsonb NOT NULL,
    decided_by     text,
    decided_at     timestamptz,
    reason         text,
    finished_at    timestamptz,
    result         jsonb
);
CREATE INDEX copilot_commands_pending_idx ON copilot_commands (expires_at) WHERE status = 'pending';
CREATE INDEX copilot_commands_thread_idx ON copilot_commands (thread_id, requested_at DESC);
