"""The offline planner's sentences for the metering tools: energy per lock cycle, power per equipment."""

from __future__ import annotations

from typing import Any

from agent.planner.answer_readings import Voice
from agent.planner.phrases import clock_time, number, say
from lockpilot.language import Language

CYCLE_NAMES = {"enchimento": ("enchimento", "filling"), "esvaziamento": ("esvaziamento", "emptying")}
METHODS = {
    "counter": ("medidor de energia", "energy counter"),
    "power": ("potência integrada", "integrated power"),
}


def _cycle_line(c: dict[str, Any], lang: Language) -> str:
    pt, en = CYCLE_NAMES.get(c["kind"], (c["kind"], c["kind"]))
    how_pt, how_en = METHODS.get(c["method"], (c["method"], c["method"]))
    minutes = number(c["duration_s"] / 60, "min", lang)
    span = f"{clock_time(c['start'])} – {clock_time(c['end'])}, {minutes}"
    return say(
        lang,
        f"{pt} ({span}): {number(float(c['energy_kwh']), 'kWh', lang)} ({how_pt})",
        f"{en} ({span}): {number(float(c['energy_kwh']), 'kWh', lang)} ({how_en})",
    )


def energy_lines(res: dict[str, Any], lang: Language) -> list[str]:
    """The last cycle's energy first, then the window's total."""
    found = res.get("cycles", [])
    start, end = clock_time(res.get("start")), clock_time(res.get("end"))
    if not found:
        return [
            say(
                lang,
                f"Nenhum ciclo da eclusa terminou entre {start} e {end}.",
                f"No lock cycle ended between {start} and {end}.",
            )
        ]
    lines = [say(lang, "Último ciclo: ", "Last cycle: ") + _cycle_line(found[-1], lang) + "."]
    if len(found) > 1:
        total = sum(c["energy_kwh"] for c in found)
        lines.append(
            say(
                lang,
                f"{len(found)} ciclos desde {start}: {number(float(total), 'kWh', lang)} no total.",
                f"{len(found)} cycles since {start}: {number(float(total), 'kWh', lang)} in total.",
            )
        )
    return lines


def _power_phrase(p: dict[str, Any], lang: Language, span: str) -> str:
    kw = lambda x: number(float(x), "kW", lang)  # noqa: E731
    return say(
        lang,
        f"{kw(p['last_kw'])} agora; de {span}, média {kw(p['mean_kw'])} e máximo {kw(p['max_kw'])}",
        f"{kw(p['last_kw'])} now; from {span}, mean {kw(p['mean_kw'])} and maximum {kw(p['max_kw'])}",
    )


def power_lines(res: dict[str, Any], v: Voice, *, asked: str | None = None) -> tuple[list[str], list[str]]:
    """The power of the equipment asked about first (or of each), then each one's as details."""
    lang = v.language
    rows = res.get("equipment", [])
    span = f"{v.time(res.get('start'))} {say(lang, 'a', 'to')} {v.time(res.get('end'))}"
    if not rows:
        return [say(lang, f"Sem medições de potência de {span}.", f"No power readings from {span}.")], []
    named = lambda p: p.get("name_pt" if lang is Language.PT else "name_en") or p["equipment"]  # noqa: E731
    samples = say(lang, "amostras", "samples")
    details = [f"{named(p)}: {_power_phrase(p, lang, span)} ({p['samples']} {samples})" for p in rows]
    own = next((p for p in rows if p["equipment"] == asked), None)
    if own is not None:
        first = named(own)
        opening = say(lang, f"{first[:1].upper()}{first[1:]} consome ", f"The {first} draws ")
        return [opening + _power_phrase(own, lang, span) + "."], details
    each = "; ".join(f"{named(p)}: {number(float(p['last_kw']), 'kW', lang)}" for p in rows)
    return [
        say(lang, f"Potência agora por equipamento — {each}.", f"Power now per equipment — {each}.")
    ], details
