"""What of a document passage answers the question: its sentences and list steps that share the question's
words, in the passage's order, in the user's language when the passage has both; a procedure's steps whole."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lockpilot.language import Language
from lockpilot.text import STOPWORDS, fold, words

MAX_SENTENCES = 3
MAX_STEPS = 6
MAX_CHARS = 600
STEM_CHARS = 5  # words compared by their first letters: "reconheça" ~ "reconhecer"
_ITEM = re.compile(r"^(?:\d+[.)]|[-*•])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÂÊÔÃÕÇ0-9`«\"(])")
_CODE = re.compile(r"`([^`]*)`")
_ENGLISH = re.compile(r"^EN:\s*")
_STEPS_ASKED = re.compile(
    r"\b(?:como|passos?|procediment\w*|o que (?:eu )?faco|depois|retom\w*|volt\w*|how|steps?|procedure|"
    r"after|what do i do|restart|resume)\b"
)


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    step: bool
    english: bool


def _blocks(text: str) -> list[tuple[str, bool]]:
    """The passage's paragraphs and list steps, lines wrapped inside them joined; True for a step."""
    blocks: list[tuple[str, bool]] = []
    joining = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "<!--")):
            joining = False
            continue
        if _ITEM.match(line):
            blocks.append((_ITEM.sub("", line), True))
            joining = True
        elif joining and not _ENGLISH.match(line):
            blocks[-1] = (f"{blocks[-1][0]} {line}", blocks[-1][1])
        else:
            blocks.append((line, False))
            joining = True
    return blocks


def _units(text: str) -> list[_Unit]:
    """The passage as sentences and list steps; what follows "EN:" is the English version."""
    out: list[_Unit] = []
    for block, step in _blocks(text):
        if step:
            out.append(_Unit(block, step=True, english=False))
            continue
        portuguese, _, english = block.partition("EN:") if not _ENGLISH.match(block) else ("", "", block[3:])
        out += [_Unit(s, step=False, english=False) for s in _SENTENCE_END.split(portuguese.strip()) if s]
        out += [_Unit(s, step=False, english=True) for s in _SENTENCE_END.split(english.strip()) if s]
    return out


def _stems(text: str) -> set[str]:
    return {w[:STEM_CHARS] for w in words(fold(text)) if w not in STOPWORDS and len(w) > 2}


def _plain(text: str) -> str:
    return " ".join(_CODE.sub(r"\1", text).split())


Similarity = Callable[[str, list[str]], list[float]]
MIN_ENGLISH_WORDS = 8  # an English part shorter than this is keywords for the search, not a translation
SURE_OVERLAP = 2  # shared words that choose a sentence without the sentence vectors
CLOSE_SIMILARITY = 0.01  # a second sentence this close to the best one is said too


def answer_from(passage: str, question: str, language: Language, *, similar: Similarity | None = None) -> str:
    """The part of `passage` that answers `question`: its steps, the sentences sharing the question's words
    or, across languages (`similar`: sentence-vector similarity), the nearest; else its first sentences."""
    units = _units(passage)
    english_words = sum(len(words(u.text)) for u in units if u.english)
    if language is Language.EN and english_words >= MIN_ENGLISH_WORDS:  # not "EN: e-stop buttons" keywords
        units = [u for u in units if u.english or u.step]
    elif any(not u.english for u in units):
        units = [u for u in units if not u.english]
    if not units:
        return _plain(passage)[:MAX_CHARS]
    steps = [u for u in units if u.step]
    if len(steps) >= 2 and _STEPS_ASKED.search(fold(question)):
        said = " ".join(f"{i}. {_plain(u.text).rstrip('.')}." for i, u in enumerate(steps[:MAX_STEPS], 1))
        return said[:MAX_CHARS]
    asked = _stems(question)
    scores = [len(asked & _stems(u.text)) for u in units]
    best = max(scores)
    if best < SURE_OVERLAP and similar is not None and len(units) > 1:
        near = similar(question, [_plain(u.text) for u in units])
        top = max(near)
        chosen = [u for u, s in zip(units, near, strict=True) if s >= top - CLOSE_SIMILARITY][:2]
    elif best == 0:
        chosen = units[:2]
    else:
        chosen = [u for u, s in zip(units, scores, strict=True) if s >= max(1, best - 1)][:MAX_SENTENCES]
    said = " ".join(_plain(u.text).rstrip(".") + "." for u in chosen)
    return said[:MAX_CHARS]
