-- People who log in to the chat and the dashboard (password auth), with their role and bot identities.
-- Passwords are stored as scrypt hashes ("scrypt$n$r$p$salt$hash"); OAuth users have no password.
CREATE TABLE ui_users (
    username      text PRIMARY KEY,
    display_name  text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('operator', 'trainer', 'viewer')),
    password_hash text,
    slack_id      text UNIQUE,
    teams_id      text UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
