"""Readings said plainly: the value in a sentence, and a suspect one flagged in that very sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.planner.phrases import clock_time, date_time, number, quality, say, utc_time
from lockpilot.language import Language

_NOTE = re.compile(r"\s*\(.*?\)")


@dataclass(frozen=True, slots=True)
class Voice:
    """How to speak to this user: language and the plant's time zone."""

    language: Language
    tz: str = "America/Sao_Paulo"

    def say(self, pt: str, en: str) -> str:
        return say(self.language, pt, en)

    def time(self, value: Any) -> str:
        return clock_time(value, self.tz)

    def moment(self, value: Any) -> str:
        return date_time(value, self.tz)

    def number(self, value: Any, unit: str = "") -> str:
        return number(value, unit, self.language)


def label(description: str) -> str:
    """A tag description as a noun phrase inside a sentence ("Nível da câmara (transmissor A)" -> "nível da
    câmara")."""
    text = _NOTE.sub("", description).strip()
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def reading_sentence(r: dict[str, Any], v: Voice) -> str:
    """One reading as a sentence: current values plainly; suspect, stale, bad or missing ones said so."""
    name, unit, fresh = label(r["description"]), r.get("unit", ""), r["freshness"]
    value = v.number(r.get("value"), unit)
    if fresh == "missing":
        return v.say(
            f"Não há leitura de {name} ({r['tag']}).", f"There is no reading of {name} ({r['tag']})."
        )
    if fresh == "stale":
        return v.say(
            f"Sem valor atual de {name}: o último, {value} às {v.time(r['time'])}, tem {r['age_s']:.0f} s "
            "e está desatualizado.",
            f"No current value of {name}: the last one, {value} at {v.time(r['time'])}, is {r['age_s']:.0f} "
            "s "
            "old (stale).",
        )
    if fresh == "bad":
        q = quality(r["quality"], v.language)
        return v.say(
            f"A leitura de {name} não é confiável (qualidade {q}); o último valor foi {value} — não use "
            "como atual.",
            f"The reading of {name} is not trusted (quality {q}); the last value was {value} — do not use "
            "it as "
            "current.",
        )
    if isinstance(r.get("value"), bool):
        return f"{_sentence_start(name)}: {value}."
    if r.get("suspect_by"):
        ids = list(r["suspect_by"])
        alarms = v.say(
            f"o alarme {ids[0]} está ativo"
            if len(ids) == 1
            else f"os alarmes {', '.join(ids[:-1])} e {ids[-1]} estão ativos",
            f"alarm {ids[0]} is active"
            if len(ids) == 1
            else f"alarms {', '.join(ids[:-1])} and {ids[-1]} are active",
        )
        other = r.get("redundant") or {}
        beside = ""
        if other.get("freshness") == "current":
            beside = v.say(
                f" O transmissor redundante ({other['tag']}) marca {v.number(other.get('value'), unit)}.",
                f" The redundant transmitter ({other['tag']}) reads {v.number(other.get('value'), unit)}.",
            )
        return (
            v.say(
                f"{_sentence_start(name)} marca {value}, mas a leitura é suspeita: {alarms} neste "
                "transmissor.",
                f"{_sentence_start(name)} reads {value}, but the reading is suspect: {alarms} on this "
                "transmitter.",
            )
            + beside
        )
    return v.say(f"{_sentence_start(name)}: {value}.", f"{_sentence_start(name)}: {value}.")


def reading_detail(r: dict[str, Any], v: Voice) -> str:
    """The supporting detail of a reading: tag, value, local and UTC time, quality."""
    if r.get("time") is None:
        return f"{r['tag']}: —"
    q = quality(r.get("quality"), v.language)
    return (
        f"{r['tag']} = {v.number(r.get('value'), r.get('unit', ''))} "
        f"({v.time(r['time'])}, {utc_time(r['time'])}, {v.say('qualidade', 'quality')} {q})"
    )


def readings_answer(readings: list[dict[str, Any]], v: Voice) -> tuple[list[str], list[str]]:
    """The sentences of several readings, and their details."""
    return [reading_sentence(r, v) for r in readings], [reading_detail(r, v) for r in readings]
