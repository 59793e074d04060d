-- Metering: clients, their devices, measurements (idempotent by key), alarm rules and events,
-- the forwarding outbox (master -> slave) and API tokens with roles.

CREATE TABLE metering_clients (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    external_id text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE metering_devices (
    id          bigserial PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES metering_clients (id) ON DELETE CASCADE,
    name        text NOT NULL,
    device_type text NOT NULL CHECK (device_type IN ('modbus_rtu', 'modbus_tcp', 'tuya', 's7')),
    active      boolean NOT NULL DEFAULT true,
    config      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, name)
);

CREATE TABLE measurements (
    id              bigserial PRIMARY KEY,
    device_id       bigint NOT NULL REFERENCES metering_devices (id) ON DELETE CASCADE,
    time            timestamptz NOT NULL,
    metric          text NOT NULL,
    value           double precision NOT NULL,
    source          text NOT NULL DEFAULT '',
    idempotency_key uuid NOT NULL UNIQUE,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measurements_device_metric_time_idx ON measurements (device_id, metric, time);

CREATE TABLE alarm_rules (
    id         bigserial PRIMARY KEY,
    client_id  bigint NOT NULL REFERENCES metering_clients (id) ON DELETE CASCADE,
    device_id  bigint REFERENCES metering_devices (id) ON DELETE CASCADE,
    name       text NOT NULL,
    metric     text NOT NULL,
    operator   text NOT NULL CHECK (operator IN ('>', '<', '>=', '<=', '==', '!=')),
    threshold  double precision NOT NULL,
    enabled    boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alarm_events (
    id              bigserial PRIMARY KEY,
    rule_id         bigint REFERENCES alarm_rules (id) ON DELETE SET NULL,
    device_id       bigint NOT NULL REFERENCES metering_devices (id) ON DELETE CASCADE,
    time            timestamptz NOT NULL,
    metric          text NOT NULL,
    value           double precision NOT NULL,
    details         text NOT NULL DEFAULT '',
    acknowledged    boolean NOT NULL DEFAULT false,
    acknowledged_by text,
    acknowledged_at timestamptz
);
CREATE INDEX alarm_events_device_time_idx ON alarm_events (device_id, time DESC);

-- Written in the same transaction as the measurements it carries: nothing accepted is lost.
CREATE TABLE forward_outbox (
    id              bigserial PRIMARY KEY,
    idempotency_key uuid NOT NULL UNIQUE,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text
);
CREATE INDEX forward_outbox_pending_idx ON forward_outbox (id) WHERE sent_at IS NULL;

CREATE TABLE api_tokens (
    token_sha256 text PRIMARY KEY,
    username     text NOT NULL,
    role         text NOT NULL CHECK (role IN ('operator', 'trainer', 'viewer', 'data_user')),
    client_id    bigint REFERENCES metering_clients (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK ((role = 'data_user') = (client_id IS NOT NULL))
);
