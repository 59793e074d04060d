"""Numbers as dictation writes them ("zero vírgula cinco bar", "dez e meio metros", "four point five"):
digits, so limits and thresholds in a dictated question are read like typed ones."""

from __future__ import annotations

import re

UNITS = {
    **dict.fromkeys(("zero",), 0),
    **dict.fromkeys(("um", "uma", "one"), 1),
    **dict.fromkeys(("dois", "duas", "two"), 2),
    **dict.fromkeys(("tres", "três", "three"), 3),
    **dict.fromkeys(("quatro", "four"), 4),
    **dict.fromkeys(("cinco", "five"), 5),
    **dict.fromkeys(("seis", "six"), 6),
    **dict.fromkeys(("sete", "seven"), 7),
    **dict.fromkeys(("oito", "eight"), 8),
    **dict.fromkeys(("nove", "nine"), 9),
    **dict.fromkeys(("dez", "ten"), 10),
    **dict.fromkeys(("onze", "eleven"), 11),
    **dict.fromkeys(("doze", "twelve"), 12),
    **dict.fromkeys(("treze", "thirteen"), 13),
    **dict.fromkeys(("quatorze", "catorze", "fourteen"), 14),
    **dict.fromkeys(("quinze", "fifteen"), 15),
    **dict.fromkeys(("vinte", "twenty"), 20),
    **dict.fromkeys(("trinta", "thirty"), 30),
}
_NUMBER_WORD = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
# "zero vírgula cinco", "quatro ponto cinco", "four point five": a whole part, a mark, one digit word or more
_DECIMAL = re.compile(
    rf"\b({_NUMBER_WORD})\s+(v[ií]rgula|ponto|point)\s+((?:{_NUMBER_WORD})(?:\s+(?:{_NUMBER_WORD}))*)\b",
    re.IGNORECASE,
)
# "dez e meio", "dois e meia": a half
_HALF = re.compile(rf"\b({_NUMBER_WORD})\s+e\s+mei[oa]\b", re.IGNORECASE)


def _value(word: str) -> int:
    return UNITS[word.lower()]


def _decimal(match: re.Match[str]) -> str:
    whole = _value(match.group(1))
    digits = "".join(str(_value(w)) for w in match.group(3).split() if _value(w) < 10)
    mark = "." if match.group(2).lower() == "point" else ","
    return f"{whole}{mark}{digits}" if digits else match.group(0)


def with_digits(text: str) -> str:
    """Dictated decimals and halves as digits; every other word as it was."""
    text = _DECIMAL.sub(_decimal, text)
    return _HALF.sub(lambda m: f"{_value(m.group(1))},5", text)
