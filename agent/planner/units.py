"""Units a question names ("em mm/s", "quanto por minuto"), to pick the tag measured in them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockpilot.text import fold

# Folded phrases -> the unit strings of tags.yaml they ask for.
_UNIT_PHRASES: tuple[tuple[str, frozenset[str]], ...] = (
    (r"(?:por|per|a|each)\s+minut[oe]s?|/\s*min\b|por min\b", frozenset({"m/min"})),
    (r"mm\s*/\s*s\b", frozenset({"mm/s"})),
    (
        r"m3\s*/\s*h\b|m³\s*/\s*h\b|metros? cubicos? por hora|cubic met(?:er|re)s? per hour",
        frozenset({"m3/h"}),
    ),
    (r"m3\s*/\s*s\b|m³\s*/\s*s\b|metros? cubicos? por segundo", frozenset({"m3/s"})),
    (
        r"\bm[3³](?!\s*/)|metros? cubicos?(?! por)|cubic met(?:er|re)s?(?! per)|quanta agua|how much water",
        frozenset({"m3"}),
    ),
    (r"\bkwh\b|quilowatts?[- ]hora|kilowatt[- ]hours?", frozenset({"kWh"})),
    (r"\bkw\b|quilowatts?\b|kilowatts?\b", frozenset({"kW"})),
    (r"\brpm\b|rotac\w* por minuto", frozenset({"rpm"})),
    (r"\bbar\b", frozenset({"bar"})),
    (r"\bgraus\b|\bdegrees\b|celsius|°\s*c\b", frozenset({"°C"})),
    (r"\bamperes?\b|\bamps?\b|amperagem", frozenset({"A"})),
    (r"\bvolts?\b|voltagem", frozenset({"V"})),
    (r"\bhertz\b|\bhz\b", frozenset({"Hz"})),
)
_COMPILED = tuple((re.compile(p), units) for p, units in _UNIT_PHRASES)


def units_asked(text: str) -> frozenset[str]:
    """The tag units a question names; none when it names none."""
    folded = fold(text)
    found: set[str] = set()
    for pattern, units in _COMPILED:
        if pattern.search(folded):
            found |= units
    if "mm/s" in found:
        found.discard("m/min")
    return frozenset(found)


_HOW_MANY = frozenset(["quantos", "quantas", "quanto", "quanta", "how", "many", "much"])


def without_units(text: str) -> str:
    """The question without the units it names and its "how many" ("quantos graus tá o óleo?" -> "tá o
    óleo?"): what is left names the measurement."""
    folded = fold(text)
    for pattern, _units in _COMPILED:
        folded = pattern.sub(" ", folded)
    return " ".join(w for w in folded.split() if w not in _HOW_MANY)


@dataclass(frozen=True, slots=True)
class Conversion:
    """A unit the plant does not measure in, asked for, and how to reach it from the one it does."""

    unit: str  # the unit asked ("psi")
    from_unit: str  # the tags' unit ("bar")
    scale: float
    offset: float = 0.0

    def of(self, value: float) -> float:
        return value * self.scale + self.offset


_CONVERSIONS: tuple[tuple[re.Pattern[str], Conversion], ...] = (
    (re.compile(r"\bpsi\b"), Conversion("psi", "bar", 14.5038)),
    (re.compile(r"\b(?:ft|feet|foot|pes)\b"), Conversion("ft", "m", 3.28084)),
    (re.compile(r"\bfahrenheit\b|°\s*f\b"), Conversion("°F", "°C", 1.8, 32.0)),
    (re.compile(r"\bkpa\b|quilopascal|kilopascal"), Conversion("kPa", "bar", 100.0)),
)


def conversions_asked(text: str) -> list[Conversion]:
    """Units asked that the plant does not measure in ("a pressão em psi", "the level in feet")."""
    folded = fold(text)
    return [c for pattern, c in _CONVERSIONS if pattern.search(folded)]
