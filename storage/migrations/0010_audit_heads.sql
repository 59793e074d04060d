-- The head (last sequence number and hash) of each hash-chained audit file, kept apart from the file:
-- `lockpilot audit verify` compares the file's end with it, so a truncated file is told from an intact one.
CREATE TABLE audit_heads (
    chain      text PRIMARY KEY,
    seq        bigint NOT NULL,
    hash       text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
