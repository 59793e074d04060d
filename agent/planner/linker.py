"""Link the words of a question to the plant: tags, equipment, sequences and rules.

Two views agree or are weighed: the exact and typo-tolerant word index over the plant data (precise when it
hits), and sentence vectors of the plant's own texts (tag descriptions in pt and en, rule names and causes,
sequence names), which understand paraphrases and the other language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from agent.planner.semantic import VectorCache
from lockpilot.plant import Plant, Tag, TagGroup
from lockpilot.plant.commands import CommandBook
from lockpilot.text import STOPWORDS, contains_phrase, fold, words
from tools.ports import RuleView, SequenceInfo
from tools.tag_index import TagIndex

LEXICAL_SURE = 0.75  # a word-index score at or above this names the tag
SEMANTIC_SURE = 0.905  # a vector similarity at or above this (and well above the rest) names it too
SEMANTIC_MARGIN = 0.035  # over the runner-up, for a tag found by vectors alone
SEMANTIC_NEAR = 6  # a word-index link among this many nearest vectors is agreed on by both views
_NOTE = re.compile(r"\(.*?\)")


def with_vocabulary(text: str, plant: Plant) -> str:
    """The folded text with the canonical word appended for every site variant it uses."""
    folded = fold(text)
    padded = f" {' '.join(words(folded))} "
    extra = []
    for canonical, variants in plant.vocabulary.items():
        if any(f" {' '.join(words(v))} " in padded for v in variants):
            extra.append(fold(canonical))
        elif any(f" {_plural_phrase(words(v))} " in padded for v in variants):
            extra.append(_plural_phrase(words(canonical)))  # "as portas" -> "comportas"
    return folded if not extra else f"{folded} {' '.join(extra)}"


def in_plant_words(text: str, plant: Plant, *, known: frozenset[str] = frozenset()) -> str:
    """The folded text with the plant's word beside every site variant it uses, in place ("upstream,
    chamber" -> "upstream montante, chamber camara"), for linking tags: a variant's words no tag uses (none
    when `known` is empty) are dropped ("tá esquentando" -> "tá temperatura", "porta de cima" -> "comporta
    montante"), so a variant is no extra word to cover; a variant rewording its canonical ("válvula de
    entrada" for "válvula de enchimento") keeps none of its own words."""
    vocabulary = tuple((c, tuple(vs)) for c, vs in plant.vocabulary.items())
    pattern, canonical_of = _variant_patterns(vocabulary)

    def replace(match: re.Match[str]) -> str:  # one pass: a replacement is never matched again
        variant_words = tuple(words(match.group(0)))
        canonical_words = canonical_of[variant_words]
        rewording = bool(set(variant_words) & set(canonical_words))  # "válvula de entrada": "de enchimento"
        kept = [] if rewording else [w for w in variant_words if w in known and w not in canonical_words]
        return " ".join([*kept, *canonical_words])

    return pattern.sub(replace, fold(text)) if canonical_of else fold(text)


@lru_cache(maxsize=8)
def _variant_patterns(
    vocabulary: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[re.Pattern[str], dict[tuple[str, ...], tuple[str, ...]]]:
    """Every site variant (and its plural) in one whole-word pattern, longest first, with the plant's words
    for each; compiled once per vocabulary, not at every question."""
    pairs: list[tuple[list[str], list[str]]] = []
    for canonical, variants in vocabulary:
        for variant in variants:
            singular = words(variant)
            pairs.append((singular, words(fold(canonical))))
            plural = words(_plural_phrase(singular))
            if plural != singular:
                pairs.append((plural, words(_plural_phrase(words(fold(canonical))))))
    ordered = sorted((p for p in pairs if p[0]), key=lambda pair: len(" ".join(pair[0])), reverse=True)
    canonical_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    for variant_words, canonical_words in ordered:
        canonical_of.setdefault(tuple(variant_words), tuple(canonical_words))
    alternatives = (r"\W+".join(map(re.escape, variant)) for variant in canonical_of)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"), canonical_of


def _plural(word: str) -> str:
    """The regular plural of a Portuguese or English word ("porta" -> "portas"); others unchanged."""
    return f"{word}s" if word[-1:] in "aeiou" and len(word) > 2 else word


def _plural_phrase(phrase_words: list[str]) -> str:
    """A name in the plural: its head word ("válvula de entrada" -> "válvulas de entrada")."""
    return " ".join([_plural(phrase_words[0]), *phrase_words[1:]]) if phrase_words else ""


@dataclass(frozen=True, slots=True)
class TagLink:
    tag: str
    score: float
    lexical: float
    semantic: float


class PlantCatalog:
    """The plant's texts and their vectors, built once per plant (and per set of rules)."""

    def __init__(self, plant: Plant, cache: VectorCache) -> None:
        self.plant = plant
        self.tags: list[Tag] = list(plant.tags.values())
        self.index = TagIndex(plant)
        self.tag_vectors = cache.vectors(tag_texts(plant))
        self._owner = np.array(tag_text_owners(plant))
        self._cache = cache

    def tag_similarity(self, vector: np.ndarray) -> np.ndarray:
        """Per tag, the best similarity of the question to its pt or en description or an alias."""
        best = np.full(len(self.tags), -1.0)
        np.maximum.at(best, self._owner, self.tag_vectors @ vector)
        return best

    def link_tags(self, text: str, vector: np.ndarray, *, limit: int = 3) -> list[TagLink]:
        """Tags this text names, best first; empty when neither view is sure."""
        semantic = self.tag_similarity(vector)
        order = np.argsort(-semantic)
        lexical = [
            TagLink(t.name, s + 0.5 * max(float(semantic[self._position(t.name)]) - 0.85, 0.0), s, 0.0)
            for t, s in self.index.search(text, limit=8, min_score=0.5)
            if not _command_bit(t)  # an order's bit is never what a question asks about
        ]
        lexical.sort(key=lambda link: (-link.score, _preference(self.plant, link.tag)))
        if lexical and lexical[0].lexical >= LEXICAL_SURE:
            best = lexical[0].score
            return [link for link in lexical if link.score >= best - 0.02][:limit]
        order = np.array([i for i in order if not _command_bit(self.tags[int(i)])])
        top, runner = float(semantic[order[0]]), float(semantic[order[1]])
        if top >= SEMANTIC_SURE and top - runner >= SEMANTIC_MARGIN:
            return [TagLink(self.tags[int(order[0])].name, top, 0.0, top)]
        near = {self.tags[int(i)].name for i in order[:SEMANTIC_NEAR]}
        nearest = self.tags[int(order[0])].name
        agreed = [
            link
            for link in lexical
            if (link.tag in near and link.lexical >= 0.6)
            or (link.tag == nearest and link.lexical >= 0.45 and top >= SEMANTIC_SURE)
        ]
        return agreed[:1]

    def ranked(self, names: list[str], text: str) -> list[str]:
        """`names` best first by how well the words name each, transmitter A before its redundant B."""
        scores = {t.name: s for t, s in self.index.search(text, limit=len(self.tags), min_score=0.0)}
        return sorted(names, key=lambda n: (-round(scores.get(n, 0.0), 2), _preference(self.plant, n)))

    def tied(self, text: str, *, spread: float = 0.03, floor: float = 0.45, limit: int = 8) -> list[str]:
        """The tags the words name about equally well, when no link is sure ("o nível do transmissor B")."""
        hits = self.index.search(text, limit=8, min_score=floor)
        found = [(t.name, s) for t, s in hits if not _command_bit(t)]
        if not found:
            return []
        best = found[0][1]
        return [name for name, score in found if score >= best - spread][:limit]

    def _position(self, name: str) -> int:
        return _positions(id(self), tuple(t.name for t in self.tags))[name]


@lru_cache(maxsize=8)
def _positions(_: int, names: tuple[str, ...]) -> dict[str, int]:
    return {n: i for i, n in enumerate(names)}


_TRANSMITTER = re.compile(r"\b(?:transmissor|transmitter|sensor|medidor)\s+(a|b)\b|\b(redundante?)\b")


def transmitter_asked(folded: str) -> str | None:
    """Which transmitter of a redundant pair a question names: "a", "b", or None."""
    found = _TRANSMITTER.search(folded)
    if found is None:
        return None
    return found.group(1) or "b"


def without_transmitter(folded: str) -> str:
    """The text without its "transmissor B" (as in "nível da câmara, transmissor A")."""
    return _TRANSMITTER.sub(" ", folded)


def on_transmitter(names: list[str], letter: str | None, plant: Plant) -> list[str]:
    """The tags on the named transmitter: the B of each A/B pair when B is asked for, and A for A."""
    if letter is None:
        return names
    paired = [n for n in names if plant.tags[n].redundant in plant.tags]
    out: list[str] = []
    for name in paired or names:  # a tag with no transmitter pair is not what "o transmissor B" means
        partner = plant.tags[name].redundant
        is_b = partner is not None and name.endswith("_2")
        swap = partner is not None and partner in plant.tags and is_b != (letter == "b")
        out.append(partner if swap and partner is not None else name)
    return list(dict.fromkeys(out))


def _command_bit(tag: Tag) -> bool:
    return tag.name.startswith("comando_")


def _preference(plant: Plant, name: str) -> tuple[int, int, str]:
    """On a tie: a measurement over a command bit, transmitter A over its redundant B."""
    tag = plant.tags[name]
    command = int(tag.is_writable or name.startswith("comando_"))
    redundant_b = int(name.endswith("_2") and tag.redundant is not None)
    return (command, redundant_b, name)


def tag_texts(plant: Plant) -> list[str]:
    """The texts the catalog embeds for tags: every pt description, every en one, then every alias."""
    tags = list(plant.tags.values())
    return [
        *(_described(t.description.pt) for t in tags),
        *(_described(t.description.en) for t in tags),
        *(alias for t in tags for alias in t.aliases),
    ]


def tag_text_owners(plant: Plant) -> list[int]:
    """For each of tag_texts, the position of its tag."""
    n = len(plant.tags)
    aliases = [i for i, t in enumerate(plant.tags.values()) for _ in t.aliases]
    return [*range(n), *range(n), *aliases]


def _described(description: str) -> str:
    """A description without its note, but with the transmitter it names ("transmissor B")."""
    note = _NOTE.search(description)
    core = _NOTE.sub("", description).strip()
    letter = re.search(r"\b(transmissor|transmitter) ([AB])\b", note.group(0)) if note else None
    return f"{core} {letter.group(0)}" if letter else core


MASK = "equipamento"


def equipment_phrases(book: CommandBook) -> list[str]:
    """Every name of every equipment (pt, en, aliases), folded, longest first."""
    names = {fold(p) for n in book.equipment.values() for p in (n.pt, n.en, *n.aliases)}
    return sorted(names, key=len, reverse=True)


def mask_equipment(text: str, phrases: list[str]) -> str:
    """The folded text with equipment names replaced by one neutral word: what is asked, not about what."""
    padded = f" {' '.join(words(fold(text)))} "
    for phrase in phrases:
        target = f" {' '.join(words(phrase))} "
        if target.strip() and target in padded:
            padded = padded.replace(target, f" {MASK} ")
    return padded.strip()


_VALVE_NAME = re.compile(
    r"(valvulas?|vazao|vazoes|taxa|velocidade)_(de_|da_|do_)?[a-z]+|[a-z]+_(valves?|flow|rate|speed)"
)


def find_sequence(text_words: list[str], sequences: list[SequenceInfo]) -> str | None:
    """A sequence named by its id or by its name (pt or en)."""
    joined = _VALVE_NAME.sub("_", "_".join(text_words))  # "válvula de esvaziamento" is a valve
    for seq in sequences:
        if seq.id in joined:
            return seq.id
    for seq in sequences:
        for name in (seq.name.pt, seq.name.en):
            if contains_phrase(text_words, " ".join(w for w in words(name) if w not in STOPWORDS)):
                return seq.id
    return None


class RuleCatalog:
    """Rule texts (name and cause, pt and en) as vectors, to weigh which rule a symptom points to."""

    def __init__(self, rules: list[RuleView], cache: VectorCache) -> None:
        self.rules = rules
        self.ids = [r.id for r in rules]
        matrix = cache.vectors(rule_texts(rules))
        self._pt, self._en = matrix[: len(rules)], matrix[len(rules) :]

    def similarity(self, vector: np.ndarray) -> dict[str, float]:
        """Per rule id, the best similarity of the question to its pt or en text."""
        sims = np.maximum(self._pt @ vector, self._en @ vector)
        return {rule_id: float(s) for rule_id, s in zip(self.ids, sims, strict=True)}


def rule_texts(rules: list[RuleView]) -> list[str]:
    """The texts the catalog embeds for rules: name and cause, every pt one, then every en one."""
    return [f"{r.name.pt}. {r.cause.pt}" for r in rules] + [f"{r.name.en}. {r.cause.en}" for r in rules]


def sensor_like(tag: Tag) -> bool:
    """A measured value (what a reading question is about), not a command or a setpoint."""
    return tag.group in (TagGroup.SENSOR, TagGroup.DIAGNOSTIC) or (tag.group is TagGroup.STATUS)
