"""Bilingual full-text search: accent folding, typo correction against the corpus, BM25-weighted tsquery."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

import psycopg

from knowledge.lexicon import Lexicon

MIN_CORRECTABLE_LEN = 4  # shorter words are too ambiguous to correct
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase and strip accents, as knowledge_fold() does in the database."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split text into folded words."""
    return _WORD.findall(fold(text))


# A query is English when PostgreSQL's English analyser drops more of its words as stopwords than the
# Portuguese one does ("what is the..." 3 to 0; "a emergencia fecha as valvulas" 2 to 2: Portuguese).
_STOPWORDS_SQL = """
SELECT (SELECT count(*) FROM ts_debug('english', %(query)s) WHERE lexemes = '{}'),
       (SELECT count(*) FROM ts_debug('portuguese', %(query)s) WHERE lexemes = '{}')
"""


class Language(StrEnum):
    """The language a query is written in, as far as its stopwords tell."""

    PORTUGUESE = "pt"
    ENGLISH = "en"


def query_language(conn: psycopg.Connection, query: str) -> Language:
    """Tell a query's language by which analyser finds more stopwords in it; ties are Portuguese."""
    row = conn.execute(_STOPWORDS_SQL, {"query": fold(query)}).fetchone()
    english, portuguese = row if row is not None else (0, 0)
    return Language.ENGLISH if english > portuguese else Language.PORTUGUESE


def _deletes(word: str) -> set[str]:
    """Return the word and every variant with one letter removed (symmetric-delete spelling)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Vocabulary:
    """The corpus's words, to fix operators' typos ("comporta" for "compota", "presao" for "pressao")."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        for text in texts:
            self.counts.update(words(text))
        self._index: dict[str, list[str]] = {}
        for word in self.counts:
            if len(word) >= MIN_CORRECTABLE_LEN - 1:
                for variant in _deletes(word):
                    self._index.setdefault(variant, []).append(word)

    def correct(self, word: str) -> str:
        """Return the word, or the most frequent corpus word one edit away when the word is unknown."""
        if word in self.counts or len(word) < MIN_CORRECTABLE_LEN or word.isdigit():
            return word
        candidates = {c for variant in _deletes(word) for c in self._index.get(variant, ())}
        if not candidates:
            return word
        return max(sorted(candidates), key=lambda c: self.counts[c])

    def rewrite(self, query: str) -> list[str]:
        """Fold, split and correct a query into search terms, without repeats."""
        terms: list[str] = []
        for word in words(query):
            fixed = self.correct(word)
            if fixed not in terms:
                terms.append(fixed)
        return terms


def tsquery_text(terms: Iterable[str]) -> str:
    """Join terms with OR: operators' questions are long and no passage holds all their words."""
    return " | ".join(t for t in terms if _WORD.fullmatch(t))


# PostgreSQL's ts_rank has no IDF, so "clp" or "comporta" (on every page) would outweigh "sobrepressao".
# Each query lexeme is ranked alone with ts_rank, which keeps the A/B/C weights of title, keywords and
# body, and weighted by its BM25 IDF from ts_stat; the sum ranks. As in a multi-field BM25, the query is
# analysed twice: Portuguese stems against `search` (the whole passage) and English stems against
# `search_en` (the corpus's English: bilingual headings, `EN:` lines, keywords; migration 0202), and
# its English stems are translated through the corpus's own lexicon (knowledge.lexicon: "fill" ->
# "enchiment") to join its Portuguese terms. Only English queries get the English analysis: on a
# Portuguese one it would only blur the ranking.
_RANK_SQL = """
WITH n AS (SELECT count(*)::float8 AS docs FROM knowledge_base WHERE plant = %(plant)s),
q0 AS (SELECT 'pt' AS field, lexeme FROM unnest(to_tsvector('portuguese', knowledge_fold(%(query)s)))
       UNION SELECT 'en', lexeme FROM unnest(to_tsvector('english', knowledge_fold(%(query)s)))),
q AS (SELECT field, lexeme FROM q0
      UNION SELECT 'pt', lex.pt FROM unnest(%(lex_en)s::text[], %(lex_pt)s::text[]) AS lex(en, pt)
      WHERE lex.en IN (SELECT lexeme FROM q0 WHERE field = 'en')),
df AS (SELECT 'pt' AS field, word, ndoc
       FROM ts_stat(format('SELECT search FROM knowledge_base WHERE plant = %%L', %(plant)s::text))
       WHERE word IN (SELECT lexeme FROM q WHERE field = 'pt')
       UNION ALL SELECT 'en', word, ndoc
       FROM ts_stat(format('SELECT search_en FROM knowledge_base WHERE plant = %%L', %(plant)s::text))
       WHERE %(english)s AND word IN (SELECT lexeme FROM q WHERE field = 'en')),
terms AS (SELECT df.field, ln((n.docs - df.ndoc + 0.5) / (df.ndoc + 0.5) + 1.0) AS idf,
                 to_tsquery('simple', quote_literal(df.word)) AS tq
          FROM df, n),
scored AS (SELECT kb.id, terms.idf * ts_rank(kb.search, terms.tq) AS score
           FROM knowledge_base kb JOIN terms ON terms.field = 'pt' AND kb.search @@ terms.tq
           WHERE kb.plant = %(plant)s
           UNION ALL
           SELECT kb.id, terms.idf * ts_rank(kb.search_en, terms.tq)
           FROM knowledge_base kb JOIN terms ON terms.field = 'en' AND kb.search_en @@ terms.tq
           WHERE kb.plant = %(plant)s)
SELECT id, sum(score) AS score FROM scored GROUP BY id ORDER BY score DESC, id LIMIT %(limit)s
"""


def fulltext_search(
    conn: psycopg.Connection,
    terms: list[str],
    *,
    plant: str,
    limit: int,
    language: Language = Language.PORTUGUESE,
    lexicon: Lexicon | None = None,
) -> list[tuple[str, float]]:
    """Rank passages by IDF-weighted ts_rank, English queries over both fields; return (id, score)."""
    query = " ".join(t for t in terms if _WORD.fullmatch(t))
    if not query:
        return []
    english = language is Language.ENGLISH
    lexicon = lexicon if lexicon is not None and english else Lexicon()
    params = {
        "query": query,
        "plant": plant,
        "limit": limit,
        "english": english,
        "lex_en": list(lexicon.english),
        "lex_pt": list(lexicon.portuguese),
    }
    rows = conn.execute(_RANK_SQL, params).fetchall()
    return [(str(pid), float(score)) for pid, score in rows]
