-- Chainlit's conversation history (chat_ui.history.PgDataLayer): threads, steps, elements, feedback.
-- Kept in PostgreSQL so that conversations survive restarts.
CREATE TABLE chat_users (
    id         text PRIMARY KEY,
    identifier text NOT NULL UNIQUE,
    metadata   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_threads (
    id         text PRIMARY KEY,
    name       text,
    user_id    text REFERENCES chat_users (id) ON DELETE CASCADE,
    tags       text[] NOT NULL DEFAULT '{}',
    metadata   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_threads_user_idx ON chat_threads (user_id, updated_at DESC);

CREATE TABLE chat_steps (
    id         text PRIMARY KEY,
    thread_id  text NOT NULL REFERENCES chat_threads (id) ON DELETE CASCADE,
    parent_id  text,
    data       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_steps_thread_idx ON chat_steps (thread_id, created_at);

CREATE TABLE chat_elements (
    id         text PRIMARY KEY,
    thread_id  text REFERENCES chat_threads (id) ON DELETE CASCADE,
    for_id     text,
    data       jsonb NOT NULL,
    content    text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_elements_thread_idx ON chat_elements (thread_id);

CREATE TABLE chat_feedback (
    id        text PRIMARY KEY,
    for_id    text NOT NULL,
    thread_id text,
    value     integer NOT NULL,
    comment   text
);
