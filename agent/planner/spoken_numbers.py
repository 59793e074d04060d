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
    **dict.fromkeys(("quarenta", "forty"), 40),
    **dict.fromkeys(("cinquenta", "cinqüenta", "fifty"), 50),
    **dict.fromkeys(("sessenta", "sixty"), 60),
    **dict.fromkeys(("setenta", "seventy"), 70),
    **dict.fromkeys(("oitenta", "eighty"), 80),
    **dict.fromkeys(("noventa", "ninety"), 90),
    **dict.fromkeys(("cem", "hundred"), 100),
}
TENS = frozenset(w for w, n in UNITS.items() if n >= 20 and n % 10 == 0)
_NUMBER_WORD = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
# "zero vírgula cinco", "quatro ponto cinco", "four point five": a whole part, a mark, one digit word or more
_DECIMAL = re.compile(
    rf"\b({_NUMBER_WORD})\s+(v[ií]rgula|ponto|point)\s+((?:{_NUMBER_WORD})(?:\s+(?:{_NUMBER_WORD}))*)\b",
    re.IGNORECASE,
)
# "dez e meio", "dois e meia": a half
_HALF = re.compile(rf"\b({_NUMBER_WORD})\s+e\s+mei[oa]\b", re.IGNORECASE)
# The unit words a dictated number stands before ("setenta graus", "dez metros e meio").
_UNIT_WORD = (
    r"(?:graus?|degrees?|bar|metros?|meters?|metres?|m|por ?cento|percent|%|amperes?|amps?|volts?|minutos?"
    r"|minutes?|segundos?|seconds?|mm/s|m/min|rpm|hertz|hz|kw)"
)
# "dez metros e meio": the half after the unit
_UNIT_HALF = re.compile(rf"\b({_NUMBER_WORD})\s+({_UNIT_WORD})\s+e\s+mei[oa]\b", re.IGNORECASE)
# "setenta graus", "vinte e cinco metros": a whole number before its unit ("um alarme" stays a word)
_BEFORE_UNIT = re.compile(
    rf"\b({_NUMBER_WORD})(?:\s+e\s+({_NUMBER_WORD}))?(?=\s+{_UNIT_WORD}\b)", re.IGNORECASE
)


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
    text = _HALF.sub(lambda m: f"{_value(m.group(1))},5", text)
    text = _UNIT_HALF.sub(lambda m: f"{_value(m.group(1))},5 {m.group(2)}", text)
    return _BEFORE_UNIT.sub(_whole, text)


def _whole(match: re.Match[str]) -> str:
    """ "setenta" -> "70", "vinte e cinco" -> "25" (a ten and a unit); "dez e dez" is left as it was."""
    tens, unit = match.group(1), match.group(2)
    if unit is None:
        return str(_value(tens))
    if tens.lower() in TENS and _value(unit) < 10:
        return str(_value(tens) + _value(unit))
    return match.group(0)
