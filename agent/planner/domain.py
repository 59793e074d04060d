"""Whether a question is about the lock at all: its words against the plant's own (tags, equipment, rules,
sequences, documents, site jargon) and the words operators use (the in-domain exemplar phrasings)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agent.planner.intents import load_exemplars
from agent.planner.once import once_each
from agent.planner.question import Intent
from lockpilot.text import STOPWORDS, allowed_typos, edit_distance, words, wordset
from rules.bundle import PlantBundle

# Words that point at something said before ("e aquela?", "open it"): no subject of their own.
POINTERS = wordset(
    "aquela aquele aquilo aquelas aqueles isso isto essa esse essas esses ela ele elas eles dela dele "
    "it its that this those these them one there ai la ali e and so entao tb tambem also too"
)
# Exemplars of these intents are not the plant's vocabulary.
_NOT_DOMAIN = (Intent.OUT_OF_DOMAIN, Intent.GREETING, Intent.CAPABILITIES)
DOC_SUFFIXES = (".md", ".yaml")


class DomainLexicon:
    """The words of the plant and of its operators, for telling an off-topic question ("qual a capital da
    Austrália?") from one phrased in a new way."""

    def __init__(self, vocabulary: Iterable[str], *, core: Iterable[str] = ()) -> None:
        self.words = frozenset(w for w in vocabulary if not w.isdigit())
        self.core = frozenset(w for w in core if not w.isdigit() and w not in STOPWORDS and len(w) > 2)
        self._by_initial: dict[str, list[str]] = {}
        for w in self.words:
            self._by_initial.setdefault(w[:1], []).append(w)

    def knows(self, word: str) -> bool:
        """The word, or a misspelling of one of its words ("presao", "bomab")."""
        if word in self.words:
            return True
        typos = allowed_typos(word)
        if typos == 0:
            return False
        near = self._by_initial.get(word[:1], [])
        return any(abs(len(w) - len(word)) <= typos and edit_distance(word, w) <= typos for w in near)

    def names_the_plant(self, text: str) -> bool:
        """A word of the plant's own data (a tag, equipment, rule or sequence word: "alarm", "pump")."""
        return any(w in self.core for w in subject_words(text))

    def unknown(self, text: str) -> list[str]:
        """The content words of the text the plant and its operators never use."""
        return [w for w in subject_words(text) if not w[0].isdigit() and not self.knows(w)]


def subject_words(text: str) -> list[str]:
    """Content words that are not pointers back to something said before."""
    return [w for w in words(text) if w not in STOPWORDS and w not in POINTERS and len(w) > 1]


def _data_texts(bundle: PlantBundle) -> Iterable[str]:
    plant = bundle.plant
    for tag in plant.tags.values():
        yield from (tag.name, tag.description.pt, tag.description.en, tag.equipment or "", *tag.aliases)
    for key, name in bundle.commands.equipment.items():
        yield from (key, name.pt, name.en, *name.aliases)
    for spec in bundle.commands.commands:
        yield from (spec.id, spec.risk.pt, spec.risk.en)
    for rule in bundle.rules.rules:
        d = rule.defn
        yield from (d.id, d.name.pt, d.name.en, d.description.pt, d.description.en)
    for seq_id, seq in bundle.sequences.items():
        yield from (seq_id, seq.name.pt, seq.name.en)
    yield "alarme alarmes alarm alarms falha falhas fault faults eclusa lock"


def _plant_texts(bundle: PlantBundle) -> Iterable[str]:
    yield from _data_texts(bundle)
    plant = bundle.plant
    docs = plant.root / "docs"
    for path in sorted(docs.iterdir()) if docs.is_dir() else ():
        if path.suffix in DOC_SUFFIXES:
            yield path.read_text(encoding="utf-8")
    vocabulary = plant.root / "vocabulary.yaml"
    if vocabulary.is_file():
        yield vocabulary.read_text(encoding="utf-8")


def build_lexicon(bundle: PlantBundle, *, exemplars_path: Path | None = None) -> DomainLexicon:
    """The lexicon of one plant: its data and documents, and the in-domain exemplar phrasings."""
    exemplars = load_exemplars() if exemplars_path is None else load_exemplars(exemplars_path)
    phrasings = [p for intent, texts in exemplars.items() if intent not in _NOT_DOMAIN for p in texts]
    return DomainLexicon(
        (w for text in (*_plant_texts(bundle), *phrasings) for w in words(text)),
        core=(w for text in _data_texts(bundle) for w in words(text)),
    )


@once_each
def lexicon_for(bundle: PlantBundle) -> DomainLexicon:
    """The plant's lexicon, built once per loaded bundle in the process."""
    return build_lexicon(bundle)
