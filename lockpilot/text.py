"""Text matching tolerant of missing accents and typos, shared by tag search and the offline planner."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache


def wordset(text: str) -> frozenset[str]:
    """The set of space-separated words of a text (vocabulary constants)."""
    return frozenset(text.split())


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")

# Words that carry no meaning for matching (pt and en).
STOPWORDS = wordset(
    "a o as os de da do das dos e em no na nos nas um uma para por com que qual quais quanto quanta "
    "esta estao esta sao ser foi the of to in on at is are was what which how and or for me my your "
    "agora now atual atualmente valor value me mostre show era eram estava estavam tava tavam were"
)


def fold(text: str) -> str:
    """Lower-case and strip accents ("Câmara" -> "camara")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split folded text into words, keeping decimals such as 10.5 or 10,5 whole."""
    return _WORD.findall(fold(text).replace("_", " "))


def content_words(text: str) -> list[str]:
    """Words of the text without stopwords."""
    return [w for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=65536)
def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), for typo tolerance."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def allowed_typos(word: str) -> int:
    """How many edits a word of this length may carry and still match."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


def word_matches(query_word: str, target_word: str) -> float:
    """Score 0..1 of one query word against one vocabulary word (exact, stem prefix, or within typos)."""
    if query_word == target_word:
        return 1.0
    if min(len(query_word), len(target_word)) >= 5 and (
        target_word.startswith(query_word) or query_word.startswith(target_word)
    ):
        return 0.9
    if abs(len(query_word) - len(target_word)) > 2:
        return 0.0
    distance = edit_distance(query_word, target_word)
    return 0.8 if distance <= allowed_typos(target_word) else 0.0


def best_match(query_word: str, vocabulary: Iterable[str]) -> tuple[str | None, float]:
    """The vocabulary word closest to `query_word` and its score."""
    best: tuple[str | None, float] = (None, 0.0)
    for target in vocabulary:
        score = word_matches(query_word, target)
        if score > best[1]:
            best = (target, score)
            if score == 1.0:
                break
    return best


def contains_phrase(text_words: list[str], phrase: str) -> bool:
    """True when every word of `phrase` matches, in order, a run of `text_words` (typos allowed)."""
    target = words(phrase)
    if not target:
        return False
    for start in range(len(text_words) - len(target) + 1):
        window = text_words[start : start + len(target)]
        if all(word_matches(q, t) > 0 for q, t in zip(window, target, strict=True)):
            return True
    return False


def any_phrase(text_words: list[str], phrases: Iterable[str]) -> bool:
    """True when any of the phrases occurs in the text."""
    return any(contains_phrase(text_words, phrase) for phrase in phrases)
