"""The plant's measurement words, read off its own data: a word its analog tags' descriptions share
across several equipment, nearly always in one unit ("pressão"/"pressure" in bar, "temperatura" in °C),
names a measurement; a question naming one and an equipment asks that measurement of that equipment
("how much oil pressure is the HPU making?": the hydraulic system pressure, not the oil temperature)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from agent.planner.once import once_each
from lockpilot.plant import DataType, Plant, Tag
from lockpilot.text import STOPWORDS, fold, words

MIN_EQUIPMENT = 3  # a word on tags of at least this many equipment is a kind of measurement...
UNIT_SHARE = 0.75  # ...when at least this share of its tags measure in one unit
MIN_WORD_LETTERS = 2  # not a transmitter's letter


def described(tag: Tag) -> set[str]:
    """The words of a tag's descriptions (pt and en), folded, without stopwords and short words."""
    text = fold(f"{tag.description.pt} {tag.description.en}")
    return {w for w in words(text) if w not in STOPWORDS and len(w) > MIN_WORD_LETTERS}


@once_each
def measurand_units(plant: Plant) -> dict[str, str]:
    """The words that name a kind of measurement on this plant, each with its usual unit (once a plant)."""
    owners: defaultdict[str, set[str]] = defaultdict(set)
    units: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for tag in plant.tags.values():
        if tag.type is DataType.BOOL or not tag.unit or tag.equipment is None:
            continue
        for w in described(tag):
            owners[w].add(tag.equipment)
            units[w][tag.unit] += 1
    return {
        w: units[w].most_common(1)[0][0]
        for w, equipment in owners.items()
        if len(equipment) >= MIN_EQUIPMENT and units[w].most_common(1)[0][1] / units[w].total() >= UNIT_SHARE
    }


def measured_on(equipment: str, folded: str, plant: Plant, *, linked: list[str]) -> list[str]:
    """The analog tags of `equipment` whose description has the measurement words the question says,
    when none of the tags already `linked` to it names them or measures in their unit ("abertura" is a
    position in %, "o nível descendo rápido" its rate); else nothing."""
    known = measurand_units(plant)
    asked = {w for w in words(folded) if w in known}
    units = {known[w] for w in asked}
    if not asked or any(plant.tags[t].unit in units or asked <= described(plant.tags[t]) for t in linked):
        return []
    return [
        t.name
        for t in plant.tags.values()
        if t.equipment == equipment and t.type is not DataType.BOOL and asked <= described(t)
    ]


def measures(equipment: str, asked: list[str], plant: Plant) -> bool:
    """Whether `equipment` has an analog tag described by all the measurement words `asked` (none asked:
    nothing says it does not)."""
    return not asked or any(
        t.equipment == equipment and t.type is not DataType.BOOL and set(asked) <= described(t)
        for t in plant.tags.values()
    )


@once_each
def plant_words(plant: Plant) -> frozenset[str]:
    """Every word the analog tags' descriptions use (pt and en), folded: what a clause may name of them."""
    return frozenset(w for t in plant.tags.values() if t.type is not DataType.BOOL for w in described(t))


def without_parentheses(text: str) -> str:
    """A description without its parenthesised asides ("Nível da câmara (transmissor A)")."""
    return " ".join(_PARENTHESES.sub(" ", text).split())


@once_each
def reading_heads(plant: Plant) -> frozenset[str]:
    """The words analog readings are named by: the first word of a Portuguese description ("tensão",
    "vazão"), the last of an English one ("voltage", "speed"), folded; a meter's generic name left out."""
    return frozenset(
        head
        for t in plant.tags.values()
        if t.type is not DataType.BOOL
        for head in (
            next((w for w in words(fold(t.description.pt)) if w not in STOPWORDS), ""),  # "tensão de …"
            next(
                (
                    w
                    for w in reversed(words(fold(without_parentheses(t.description.en))))
                    if w not in STOPWORDS
                ),
                "",
            ),
        )
        if head and head not in _GENERIC_HEADS and not head.isdigit()
    )


_PARENTHESES = re.compile(r"\([^)]*\)")  # "(absolute)", "(transmitter A)"
_GENERIC_HEADS = frozenset({"medicao", "measurement", "main", "upstream", "downstream", "culvert"})
