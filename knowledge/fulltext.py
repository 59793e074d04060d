"""Portuguese full-text search: accent folding, typo correction against the corpus, ranked tsquery."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import psycopg

MIN_CORRECTABLE_LEN = 4  # shorter words are too ambiguous to correct
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase and strip accents, as knowledge_fold() does in the database."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split text into folded words."""
    return _WORD.findall(fold(text))


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
# Each query lexeme (Portuguese stemmer over knowledge_fold) is ranked alone with ts_rank, which keeps the
# A/B/C weights of title, keywords and body, and weighted by its BM25 IDF from ts_stat; the sum ranks.
_RANK_SQL = """
WITH q AS (SELECT lexeme FROM unnest(to_tsvector('portuguese', knowledge_fold(%(query)s)))),
n AS (SELECT count(*)::float8 AS docs FROM knowledge_base WHERE plant = %(plant)s),
df AS (SELECT word, ndoc
       FROM ts_stat(format('SELECT search FROM knowledge_base WHERE plant = %%L', %(plant)s::text))
       WHERE word IN (SELECT lexeme FROM q)),
terms AS (SELECT ln((n.docs - df.ndoc + 0.5) / (df.ndoc + 0.5) + 1.0) AS idf,
                 to_tsquery('simple', quote_literal(df.word)) AS tq FROM df, n)
SELECT kb.id, sum(terms.idf * ts_rank(kb.search, terms.tq)) AS score
FROM knowledge_base kb JOIN terms ON kb.search @@ terms.tq
WHERE kb.plant = %(plant)s
GROUP BY kb.id ORDER BY score DESC, kb.id LIMIT %(limit)s
"""


def fulltext_search(
    conn: psycopg.Connection, terms: list[str], *, plant: str, limit: int
) -> list[tuple[str, float]]:
    """Rank passages by IDF-weighted ts_rank over the Portuguese configuration; return (id, score)."""
    query = " ".join(t for t in terms if _WORD.fullmatch(t))
    if not query:
        return []
    rows = conn.execute(_RANK_SQL, {"query": query, "plant": plant, "limit": limit}).fetchall()
    return [(str(pid), float(score)) for pid, score in rows]
