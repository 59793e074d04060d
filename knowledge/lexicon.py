"""An English -> Portuguese stem lexicon aligned from the corpus's own bilingual headings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

MIN_DICE = 0.5  # weaker associations are coincidences of two words sharing a heading
# "Comporta mitra (mitre gate)": the Portuguese before the parentheses, the English inside them.
_BILINGUAL = re.compile(r"^(?P<pt>[^()]+?)\s*\((?P<en>[^()`]+)\)\s*$")
_STEMS_SQL = """
SELECT tsvector_to_array(to_tsvector('portuguese', knowledge_fold(p.pt))),
       tsvector_to_array(to_tsvector('english', knowledge_fold(p.en)))
FROM unnest(%s::text[], %s::text[]) AS p(pt, en)
"""


@dataclass(frozen=True)
class Lexicon:
    """Translation pairs of stems: English stem -> Portuguese stem, as the full-text query takes them."""

    english: tuple[str, ...] = ()
    portuguese: tuple[str, ...] = ()

    def __len__(self) -> int:
        """Return how many translation pairs the lexicon holds."""
        return len(self.english)


def bilingual_pairs(titles: Iterable[str]) -> list[tuple[str, str]]:
    """Return the (Portuguese, English) halves of titles written as "Português (English)", once each."""
    pairs: dict[tuple[str, str], None] = {}
    for title in titles:
        found = _BILINGUAL.match(title)
        if found is not None:
            pairs[(found.group("pt"), found.group("en"))] = None
    return list(pairs)


def align(stemmed: Iterable[tuple[Iterable[str], Iterable[str]]], *, min_dice: float = MIN_DICE) -> Lexicon:
    """Pair each English stem with its best Portuguese stems by the Dice coefficient of co-occurrence."""
    en_count: Counter[str] = Counter()
    pt_count: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for pt_stems, en_stems in stemmed:
        pt_set, en_set = set(pt_stems), set(en_stems)
        pt_count.update(pt_set)
        en_count.update(en_set)
        both.update((e, p) for e in en_set for p in pt_set)
    best: dict[str, float] = {}
    dice = {pair: 2.0 * n / (en_count[pair[0]] + pt_count[pair[1]]) for pair, n in both.items()}
    for (en, _), score in dice.items():
        best[en] = max(best.get(en, 0.0), score)
    kept = sorted(pair for pair, score in dice.items() if score >= min_dice and score == best[pair[0]])
    return Lexicon(tuple(e for e, _ in kept), tuple(p for _, p in kept))


def build_lexicon(conn: psycopg.Connection, titles: Iterable[str]) -> Lexicon:
    """Stem the bilingual titles with PostgreSQL's analysers and align them into a lexicon."""
    pairs = bilingual_pairs(titles)
    if not pairs:
        return Lexicon()
    rows = conn.execute(_STEMS_SQL, ([pt for pt, _ in pairs], [en for _, en in pairs])).fetchall()
    return align((pt or [], en or []) for pt, en in rows)
