"""The offline planner's sentences for the metering tools: energy per lock cycle, power per equipment."""

from __future__ import annotations

from typing import Any

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


def power_lines(res: dict[str, Any], lang: Language) -> list[str]:
    """One line per equipment: mean, maximum and last power."""
    rows = res.get("equipment", [])
    span = f"{clock_time(res.get('start'))} – {clock_time(res.get('end'))}"
    if not rows:
        return [say(lang, f"Sem medições de potência ({span}).", f"No power readings ({span}).")]
    head = say(lang, f"Potência por equipamento ({span}):", f"Power per equipment ({span}):")
    return [head] + [
        say(
            lang,
            f"- {p['equipment']}: média {p['mean_kw']:.2f} kW, máx {p['max_kw']:.2f} kW, "
            f"última {p['last_kw']:.2f} kW ({p['samples']} amostras)",
            f"- {p['equipment']}: mean {p['mean_kw']:.2f} kW, max {p['max_kw']:.2f} kW, "
            f"last {p['last_kw']:.2f} kW ({p['samples']} samples)",
        )
        for p in rows
    ]
