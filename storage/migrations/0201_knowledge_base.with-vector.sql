-- knowledge/: the plant's knowledge passages (plant team's knowledge_base shape + chunk columns); pgvector column and HNSW index.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS knowledge_base (
    plant         text NOT NULL,
    id            text NOT NULL,            -- stable passage id, cited by the agent ("document#heading")
    document      text NOT NULL,
    heading       text NOT NULL,
    topic         text NOT NULL,
    question      text NOT NULL DEFAULT '',
    answer        text NOT NULL,            -- the passage text
    keywords      text[] NOT NULL DEFAULT '{}',
    category      text NOT NULL,
    position      integer NOT NULL DEFAULT 0,
    content_hash  text NOT NULL,            -- sha256 of the passage: unchanged passages are not re-embedded
    embedding     vector(384) NOT NULL,     -- all-MiniLM-L6-v2, 384 dims, L2-normalised
    search        tsvector NOT NULL,        -- portuguese config over knowledge_fold(text), weighted A/B/C
    usage_count   bigint NOT NULL DEFAULT 0,
    last_accessed timestamptz,
    indexed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plant, id)
);

CREATE INDEX IF NOT EXISTS knowledge_base_search_idx ON knowledge_base USING gin (search);
CREATE INDEX IF NOT EXISTS knowledge_base_document_idx ON knowledge_base (plant, document);
-- Approximate nearest neighbours by cosine distance (pgvector HNSW).
CREATE INDEX IF NOT EXISTS knowledge_base_embedding_idx ON knowledge_base USING hnsw (embedding vector_cosine_ops);
