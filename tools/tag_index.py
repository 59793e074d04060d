"""Find tags by name, description (pt or en) or equipment, tolerant of missing accents and typos."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lockpilot.plant import Plant, Tag, TagGroup
from lockpilot.text import STOPWORDS, content_words, edit_distance, word_matches, words

# Query words that mean the same thing as a word the tag map uses.
SYNONYMS = {
    "nivel": ("nivel", "level"),
    "agua": ("agua", "water"),
    "oleo": ("oleo", "oil"),
    "temp": ("temperatura",),
    "temperature": ("temperatura",),
    "amperage": ("corrente",),
    "motor": ("motor",),
    "camera": ("camara",),
    "lock": ("eclusa",),
    "hpu": ("hidraulica", "hpu"),
    "ligada": ("operacao", "running"),
    "ligado": ("operacao", "running"),
    "funcionando": ("operacao",),
    "on": ("running",),
    "running": ("running", "operacao"),
    "abertura": ("abertura", "posicao"),  # how open a valve or gate is: its position
    "opening": ("opening", "position"),
}


@dataclass(frozen=True, slots=True)
class IndexedTag:
    """One tag's words: its name parts, and everything it can be found by."""

    tag: Tag
    name_sets: tuple[frozenset[str], ...]  # the name, and the pt and en descriptions without notes
    all_words: frozenset[str]
    bias: float  # prefer measured values over fault bits and command bits on a tie


class TagIndex:
    """A word index over the plant's tags."""

    def __init__(self, plant: Plant) -> None:
        self.plant = plant
        self.entries = [_index(tag) for tag in plant.tags.values()]
        self.vocabulary = frozenset().union(*(e.all_words for e in self.entries))
        self._expand = lru_cache(maxsize=4096)(self._expand_uncached)

    def _expand_uncached(self, word: str) -> frozenset[str]:
        """Vocabulary words a query word stands for, with the score of each."""
        targets = set(SYNONYMS.get(word, ())) | {word}
        found = {v for v in self.vocabulary for t in targets if word_matches(t, v) > 0}
        return frozenset(found)

    def _misspelt_stopword(self, word: str) -> bool:
        """A word that is no plant word but a swapped-letter stopword ("qaul", "waht")."""
        if len(word) < 3 or word in self.vocabulary:
            return False
        return any(len(s) == len(word) and edit_distance(word, s) == 1 for s in STOPWORDS if len(s) >= 3)

    def search(self, query: str, *, limit: int = 5, min_score: float = 0.5) -> list[tuple[Tag, float]]:
        """Tags ranked by how well they cover the query words, preferring tags named by exactly them."""
        exact = self.plant.tags.get(query.strip())
        if exact is not None:
            return [(exact, 1.0)]
        query_words = [
            w
            for w in content_words(query)
            if (not w[0].isdigit() or len(w) == 1) and not self._misspelt_stopword(w)
        ]
        if not query_words:
            return []
        expanded = [self._expand(w) | {w} for w in query_words]
        scored = [
            (e.tag, score) for e in self.entries if (score := _score(e, query_words, expanded)) >= min_score
        ]
        scored.sort(key=lambda item: (-item[1], item[0].name))
        return scored[:limit]


def _score(entry: IndexedTag, query_words: list[str], expanded: list[frozenset[str]]) -> float:
    """Coverage of the query by the tag's words, weighted by how much of the tag's name was asked for."""
    hits = [bool(alts & entry.all_words) for alts in expanded]
    coverage = sum(hits) / len(hits)
    if coverage == 0:
        return 0.0
    asked = frozenset().union(*(alts for alts, hit in zip(expanded, hits, strict=True) if hit))
    named = max(len(names & asked) / len(names) for names in entry.name_sets if names)
    digits_asked = {w for w in query_words if w.isdigit()}
    digits_named = {w for w in entry.name_sets[0] if w.isdigit()}
    digit_penalty = 0.5 if digits_named - digits_asked else 1.0
    return coverage * (0.6 + 0.4 * named) * digit_penalty + entry.bias


def _core(description: str) -> frozenset[str]:
    """Content words of a description without its parenthesised note."""
    return frozenset(content_words(re.sub(r"\(.*?\)", " ", description)))


def _index(tag: Tag) -> IndexedTag:
    name_words = frozenset(words(tag.name))
    text = " ".join((tag.name, tag.description.pt, tag.description.en, tag.equipment or "", *tag.aliases))
    bias = -0.05 if tag.is_writable else 0.01 if tag.group in (TagGroup.SENSOR, TagGroup.DIAGNOSTIC) else 0.0
    return IndexedTag(
        tag,
        (
            name_words,
            _core(tag.description.pt),
            _core(tag.description.en),
            *(frozenset(content_words(a)) for a in tag.aliases),
        ),
        frozenset(words(text)) | name_words,
        bias,
    )
