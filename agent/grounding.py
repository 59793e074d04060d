"""The grounding check of a model-written answer: every number in it comes from this turn's tool results.

Numbers are read the pt-BR way and the English way ("1.234,5", "3,46", "3.5"), with their unit when one
follows (converted between s/min/h, W/kW/MW, Wh/kWh/MWh, fractions and %); rounding to the digits written is
allowed. Times (hh:mm, 16h22) must be a time of a result in UTC or in the plant's zone (to the minute),
dates a date of one, and identifiers with digits (cmd-77, valvula_enchimento_1) must appear in a result.
Numbers the user typed in the question count as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

_UNITS = {  # unit as written -> (dimension, factor to the dimension's base)
    "%": ("pct", 1.0),
    "s": ("time", 1.0),
    "seg": ("time", 1.0),
    "segundos": ("time", 1.0),
    "seconds": ("time", 1.0),
    "min": ("time", 60.0),
    "minutos": ("time", 60.0),
    "minutes": ("time", 60.0),
    "h": ("time", 3600.0),
    "horas": ("time", 3600.0),
    "hours": ("time", 3600.0),
    "w": ("power", 1e-3),
    "kw": ("power", 1.0),
    "mw": ("power", 1e3),
    "wh": ("energy", 1e-3),
    "kwh": ("energy", 1.0),
    "mwh": ("energy", 1e3),
    "bar": ("pressure", 1.0),
    "m": ("length", 1.0),
    "metros": ("length", 1.0),
    "meters": ("length", 1.0),
    "m³": ("volume", 1.0),
    "m3": ("volume", 1.0),
    "metros cúbicos": ("volume", 1.0),
    "metros cubicos": ("volume", 1.0),
    "cubic meters": ("volume", 1.0),
    "cm": ("length", 0.01),
    "centímetros": ("length", 0.01),
    "centimetros": ("length", 0.01),
    "centimeters": ("length", 0.01),
    "mm": ("length", 0.001),
    "milímetros": ("length", 0.001),
    "milimetros": ("length", 0.001),
    "millimeters": ("length", 0.001),
    "pés": ("length", 0.3048),
    "pes": ("length", 0.3048),
    "feet": ("length", 0.3048),
    "ft": ("length", 0.3048),
    "litros": ("volume", 1e-3),
    "liters": ("volume", 1e-3),
    "litres": ("volume", 1e-3),
    "mm/s": ("speed", 1.0),
    "a": ("current", 1.0),
    "v": ("voltage", 1.0),
    "hz": ("frequency", 1.0),
    "rpm": ("rotation", 1.0),
    "°c": ("temperature", 1.0),
    "ºc": ("temperature", 1.0),
    "m³/h": ("flow", 1.0),
    "m3/h": ("flow", 1.0),
    "m³/s": ("flowrate", 1.0),
    "l/s": ("flowrate", 1e-3),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
NUMBER = re.compile(
    rf"(?<![\w.,])(?P<sign>[-−])?(?P<num>\d+(?:[.,]\d+)*)(?:\s?(?P<unit>{_UNIT_RE})(?![\w/]))?", re.IGNORECASE
)
TIME = re.compile(
    r"(?<![\d:.,])(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d)|h(?P<hm>[0-5]\d)?(?![\w/]))"
    r"(?::(?P<s>[0-5]\d)(?:\.\d+)?)?(?![\d]|,\d)"
)
DATE_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?!\d)")
DATE_BR = re.compile(r"(?<![\d/])(?P<d>\d{1,2})/(?P<mo>\d{1,2})(?:/(?P<y>\d{2,4}))?(?![\d/])")
IDENT = re.compile(r"(?<![\w-])[^\W\d][\w-]*\d[\w-]*")
_KEY_UNITS = {"_s": "s", "_kwh": "kwh", "_kw": "kw", "_pct": "%", "_bar": "bar", "_m": "m", "_min": "min"}


@dataclass(frozen=True, slots=True)
class Fact:
    value: float
    unit: str | None  # lower-case key of _UNITS, or None when the result gives none


@dataclass
class Facts:
    """What the tool results (and the user's question) allow an answer to say."""

    numbers: list[Fact] = field(default_factory=list)
    minutes: set[tuple[int, int]] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    text: str = ""

    def add_time(self, moment: datetime, tz: ZoneInfo) -> None:
        for m in (moment, moment.astimezone(tz)) if moment.tzinfo else (moment,):
            self.minutes.add((m.hour, m.minute))
            whole = m.replace(second=0, microsecond=0)
            later = (whole.hour, whole.minute + 1) if whole.minute < 59 else ((whole.hour + 1) % 24, 0)
            if m.second >= 30:
                self.minutes.add(later)  # rounded to the minute
            self.dates.add(m.date())


def _unit(raw: str | None) -> str | None:
    key = (raw or "").strip().lower()
    return key if key in _UNITS else None


def _datetime(text: str) -> datetime | None:
    if len(text) < 16 or not DATE_ISO.match(text) or text[10] not in "T ":
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _walk(value: Any, unit: str | None, key: str, facts: Facts, tz: ZoneInfo) -> None:
    if isinstance(value, dict):
        here = _unit(value.get("unit")) if isinstance(value.get("unit"), str) else unit
        for k, v in value.items():
            _walk(v, here, str(k), facts, tz)
        return
    if isinstance(value, list):
        facts.numbers.append(Fact(float(len(value)), None))
        for v in value:
            _walk(v, unit, key, facts, tz)
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            by_key = next((u for suffix, u in _KEY_UNITS.items() if key.endswith(suffix)), None)
            facts.numbers.append(Fact(float(value), by_key or unit))
        return
    text = str(value)
    facts.text += " " + text.lower()
    moment = _datetime(text)
    if moment is not None:
        facts.add_time(moment, tz)
        return
    facts.numbers += [Fact(v, _unit(u)) for v, _, u, _ in _numbers(text)]


def _readings(raw: str) -> list[tuple[float, int]]:
    """Every way to read a written number, with its decimals: "1.234" is 1234 (pt) or 1.234 (en)."""
    seps = [c for c in raw if c in ".,"]
    if not seps:
        return [(float(raw), 0)]
    if len(set(seps)) == 2:
        decimal = raw[max(raw.rfind("."), raw.rfind(","))]
        whole, _, frac = raw.rpartition(decimal)
        return [(float(whole.replace("." if decimal == "," else ",", "") + "." + frac), len(frac))]
    sep = seps[0]
    groups = raw.split(sep)
    out = []
    if len(groups) == 2:
        out.append((float(groups[0] + "." + groups[1]), len(groups[1])))
    if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
        out.append((float("".join(groups)), 0))
    return out


def _numbers(text: str) -> Iterator[tuple[float, int, str | None, str]]:
    for m in NUMBER.finditer(text):
        sign = -1.0 if m.group("sign") else 1.0
        for value, decimals in _readings(m.group("num")):
            yield sign * value, decimals, m.group("unit"), m.group(0).strip()


def facts_of(results: Iterable[dict[str, Any]], *, user_text: str, tz: str) -> Facts:
    zone = ZoneInfo(tz)
    facts = Facts()
    for result in results:
        _walk(result, None, "", facts, zone)
    facts.numbers += [Fact(abs(v), None) for v, _, _, _ in _numbers(user_text)]
    facts.text += " " + user_text.lower()
    return facts


def _matches(value: float, decimals: int, unit: str | None, facts: Facts) -> bool:
    tolerance = 0.5 * 10.0**-decimals + 1e-9
    for fact in facts.numbers:
        candidates = [fact.value]
        if unit is not None and fact.unit is not None:
            (dim_a, fa), (dim_f, ff) = _UNITS[unit], _UNITS[fact.unit]
            if dim_a != dim_f:
                continue
            candidates = [fact.value * ff / fa]
        elif unit == "%":
            candidates.append(fact.value * 100)
        if any(abs(abs(value) - abs(c)) <= tolerance for c in candidates):
            return True
    return False


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def ungrounded(answer: str, results: Iterable[dict[str, Any]], *, user_text: str, tz: str) -> list[str]:
    """What in the answer no tool result of the turn (nor the user's question) gave: numbers, times, ids."""
    facts = facts_of(results, user_text=user_text, tz=tz)
    bad: list[str] = []
    text = answer
    for m in list(IDENT.finditer(text)):
        if m.group(0).lower() not in facts.text:
            bad.append(m.group(0))
        text = _blank(text, m.span())
    for m in list(DATE_ISO.finditer(text)):
        if date(int(m["y"]), int(m["mo"]), int(m["d"])) not in facts.dates:
            bad.append(m.group(0))
        text = _blank(text, m.span())
    for m in list(DATE_BR.finditer(text)):
        day = any(d.day == int(m["d"]) and d.month == int(m["mo"]) for d in facts.dates)
        if not day and not _matches(float(m["d"]), 0, None, facts):  # "2/3" may be a count of a total
            bad.append(m.group(0))
        text = _blank(text, m.span())
    for m in list(TIME.finditer(text)):
        minute = m["m"] or m["hm"]
        if minute is not None and (int(m["h"]), int(minute)) not in facts.minutes:
            bad.append(m.group(0))
        if minute is None and all(h != int(m["h"]) for h, _ in facts.minutes):  # "às 16h"
            bad.append(m.group(0))
        text = _blank(text, m.span())
    for m in NUMBER.finditer(text):
        readings = _readings(m.group("num"))
        unit = _unit(m.group("unit"))
        if not any(_matches(v, d, unit, facts) for v, d in readings):
            bad.append(m.group(0).strip())
    return bad
