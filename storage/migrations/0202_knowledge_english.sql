-- knowledge/: an English full-text field beside the Portuguese one, for English questions ("what is a
-- mitre gate"). It holds the corpus's own English: the parenthesised halves of bilingual titles and
-- headings ("Comporta mitra (mitre gate)"), the `EN:` lines of generated pages (without `tag_names`),
-- and the keywords. A generated column: existing rows get it now, upserted rows on write, and nothing
-- is re-embedded.
CREATE OR REPLACE FUNCTION knowledge_english_heading(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT coalesce(string_agg(m[1], ' '), '') FROM regexp_matches(t, '\(([^()`]*)\)', 'g') AS m $$;

CREATE OR REPLACE FUNCTION knowledge_english_lines(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT coalesce(string_agg(regexp_replace(m[1], '`[^`]*`', ' ', 'g'), ' '), '')
      FROM regexp_matches(t, '^EN:(.*)$', 'gn') AS m $$;

CREATE OR REPLACE FUNCTION knowledge_english_document(topic text, heading text, keywords text[], answer text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT setweight(to_tsvector('english',
                 knowledge_fold(knowledge_english_heading(topic || ' ' || heading))), 'A')
          || setweight(to_tsvector('english', knowledge_fold(array_to_string(keywords, ' '))), 'B')
          || setweight(to_tsvector('english', knowledge_fold(knowledge_english_lines(answer))), 'C') $$;

ALTER TABLE knowledge_base ADD COLUMN IF NOT EXISTS search_en tsvector
    GENERATED ALWAYS AS (knowledge_english_document(topic, heading, keywords, answer)) STORED;
CREATE INDEX IF NOT EXISTS knowledge_base_search_en_idx ON knowledge_base USING gin (search_en);
