"""How the offline planner says a what-if prediction, in Portuguese and English."""

from __future__ import annotations

from typing import Any

from agent.planner.phrases import say
from lockpilot.language import Language

# Figure key -> (pt label, en label, unit).
FIGURES = {
    "peak_rate_m_min": ("taxa de pico do nível da câmara", "peak chamber level rate", "m/min"),
    "peak_fill_m3_s": ("vazão de enchimento de pico", "peak filling flow", "m³/s"),
    "peak_empty_m3_s": ("vazão de esvaziamento de pico", "peak emptying flow", "m³/s"),
    "min_system_bar": ("pressão mínima do sistema", "minimum system pressure", "bar"),
    "max_system_bar": ("pressão máxima do sistema", "maximum system pressure", "bar"),
    "final_chamber_m": ("nível final da câmara", "final chamber level", "m"),
}


def _time_to_level(figures: dict[str, Any], baseline: dict[str, Any], lang: Language) -> str:
    """When the chamber would reach the pool level, with and without the action."""

    def seconds(value: Any) -> str:
        return (
            say(lang, "não equaliza no período", "does not level in the period")
            if value is None
            else (f"{value:.0f} s")
        )

    return say(
        lang,
        f"tempo até equalizar os níveis: {seconds(figures.get('time_to_level_s'))} "
        f"(sem a ação: {seconds(baseline.get('time_to_level_s'))})",
        f"time to level: {seconds(figures.get('time_to_level_s'))} "
        f"(without the action: {seconds(baseline.get('time_to_level_s'))})",
    )


def what_if_lines(res: dict[str, Any], lang: Language) -> list[str]:
    """The predicted course of a hypothetical action: key figures and the alarms it would raise."""
    figures, baseline = res.get("figures", {}), res.get("baseline", {})
    lines = [
        say(
            lang,
            f"Previsão em um gêmeo digital isolado (a planta real não foi tocada): {res.get('action')}, "
            f"próximos {res.get('minutes', 0):g} min.",
            f"Prediction on a sandbox twin (the real plant was not touched): {res.get('action')}, "
            f"next {res.get('minutes', 0):g} min.",
        )
    ]
    for key, (pt, en, unit) in FIGURES.items():
        if figures.get(key) is not None:
            lines.append(f"- {say(lang, pt, en)}: {figures[key]:g} {unit}")
    lines.append(f"- {_time_to_level(figures, baseline, lang)}")
    alarms = ", ".join(f"{a['id']} (+{a['after_s']:g} s)" for a in res.get("alarms", []))
    lines.append(
        say(lang, "Alarmes que a ação dispararia: ", "Alarms the action would raise: ")
        + (alarms or say(lang, "nenhum", "none"))
    )
    if res.get("chart"):
        lines.append(say(lang, "Gráfico da previsão anexado.", "Prediction chart attached."))
    return lines
