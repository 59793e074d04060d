-- knowledge/: which model made each vector. A change of model re-embeds the corpus, and vectors of two
-- models are never compared: the search reads only the vectors of the model it embeds queries with.
-- Every vector stored before this migration is all-MiniLM-L6-v2's. A vector may be missing while an
-- index run embeds (the text is written first, so full-text search answers meanwhile).
ALTER TABLE knowledge_base ADD COLUMN IF NOT EXISTS embedding_model text
    DEFAULT 'sentence-transformers/all-MiniLM-L6-v2';
ALTER TABLE knowledge_base ALTER COLUMN embedding_model DROP DEFAULT;
ALTER TABLE knowledge_base ALTER COLUMN embedding DROP NOT NULL;
