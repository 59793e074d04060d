-- Tables of rules/: fault rules and sequences as loaded (plant team's design), alarm states (ISA-18.2)
-- and incidents. Lifecycle events go to events_log (event_type 'alarm', context = the event).

CREATE TABLE fault_rules (
    id          text PRIMARY KEY,
    name        jsonb NOT NULL,
    description jsonb NOT NULL,
    conditions  jsonb NOT NULL,
    actions     jsonb NOT NULL DEFAULT '[]'::jsonb,
    severity    text NOT NULL,
    priority    text NOT NULL,
    definition  jsonb NOT NULL,
    created_by  text NOT NULL DEFAULT 'rules.yaml',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operation_sequences (
    sequence_id    text PRIMARY KEY,
    code           integer NOT NULL UNIQUE,
    name           jsonb NOT NULL,
    description    jsonb NOT NULL,
    steps          jsonb NOT NULL,
    preconditions  jsonb NOT NULL,
    postconditions jsonb NOT NULL DEFAULT '[]'::jsonb,
    timeout_values jsonb NOT NULL DEFAULT '{}'::jsonb,
    safety_checks  jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alarms (
    alarm_id      text PRIMARY KEY,
    kind          text NOT NULL,
    state         text NOT NULL,
    active        boolean NOT NULL,
    priority      text NOT NULL,
    severity      text NOT NULL,
    activated_at  timestamptz,
    cleared_at    timestamptz,
    acked_at      timestamptz,
    acked_by      text,
    shelved_until timestamptz,
    chattering    boolean NOT NULL DEFAULT false,
    incident_id   text,
    first_out     boolean NOT NULL DEFAULT false,
    doc           jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarms_state_idx ON alarms (state) WHERE state <> 'normal';

CREATE TABLE incidents (
    id             text PRIMARY KEY,
    root           text NOT NULL,
    probable_cause text NOT NULL,
    started_at     timestamptz NOT NULL,
    closed_at      timestamptz,
    members        jsonb NOT NULL
);

CREATE INDEX events_log_alarm_idx ON events_log (time) WHERE event_type = 'alarm';
