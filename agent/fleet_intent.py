"""The fleet intent layer of the central copilot: a question about the waterway's locks becomes one round
of fleet tool calls (or None: not a fleet question, the planner goes on), and their results an answer.

Hooked in one place: `agent.graph._planner` calls `fleet_plan` first when the tool context has a fleet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent.planner.answer_readings import Voice, reading_sentence
from agent.planner.phrases import clock_time, number, say
from lockpilot.language import Language
from lockpilot.text import fold, words, wordset
from tools.fleet import FleetToolName
from tools.tag_index import TagIndex

L = Language
FLEET_WORDS = wordset("eclusas locks sites frota fleet hidrovia waterway todas all cada each")
SITE_WORDS = ("eclusa", "lock", "site", "sitio")
COMMS = ("sem comunicacao", "comunicando", "comunicacao", "offline", "fora do ar", "communication",
         "communicating", "unreachable", "online", "conectad", "connected")  # fmt: skip
ALARMS = ("alarme", "alarm")
ENERGY = ("energia", "energy", "consumo", "kwh")
CYCLES = ("ciclo", "cycle", "eclusagem")
EN_MARKERS = wordset("which what any is are the of at in compare today level locks lock")
PT_MARKERS = wordset("quais qual alguma esta estao o a da na das compare hoje nivel eclusas eclusa")
NOT_TAG_WORDS = frozenset(
    [
        "qual",
        "quais",
        "o",
        "a",
        "da",
        "na",
        "no",
        "do",
        "eclusa",
        "eclusas",
        "lock",
        "locks",
        "site",
        "at",
        "in",
        "the",
        "of",
        "what",
        "is",
    ]
)


@dataclass
class FleetPlan:
    """One round of fleet tool calls and the language to answer in."""

    language: Language
    calls: list[tuple[FleetToolName, dict[str, Any]]] = field(default_factory=list)


def _language(text_words: list[str]) -> Language:
    en = sum(w in EN_MARKERS - PT_MARKERS for w in text_words)
    pt = sum(w in PT_MARKERS - EN_MARKERS for w in text_words)
    return L.EN if en > pt else L.PT


def find_site(folded: str, sites: Sequence[str]) -> str | None:
    """The site a question names: its id ("eclusa-3"), spaced ("eclusa 3"), or "lock 3" if one id ends so."""
    spaced = re.sub(r"[-_]", " ", folded)
    for site in sorted(sites, key=len, reverse=True):
        if re.search(rf"\b{re.escape(re.sub(r'[-_]', ' ', fold(site)))}\b", spaced):
            return site
    match = re.search(rf"\b(?:{'|'.join(SITE_WORDS)})\s*(\d+)\b", spaced)
    if match:
        ending = [s for s in sites if re.search(rf"\D{match.group(1)}$", s)]
        return ending[0] if len(ending) == 1 else None
    return None


def _since_midnight_s(now: datetime) -> float:
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return max((now - midnight).total_seconds(), 60.0)


def fleet_plan(
    text: str, *, sites: Sequence[str], tag_index: TagIndex, now: datetime | None = None
) -> FleetPlan | None:
    """The fleet tool calls a question needs, or None when it is not about the fleet."""
    folded, text_words = fold(text), words(text)
    site = find_site(folded, sites)
    fleet_wide = any(w in FLEET_WORDS or w in SITE_WORDS for w in text_words)
    if site is None and not fleet_wide:
        return None
    plan = FleetPlan(_language(text_words))
    scope = {"site": site}
    if any(c in folded for c in ENERGY) and any(c in folded for c in CYCLES):
        window_s = (
            _since_midnight_s(now or datetime.now(UTC)) if re.search(r"\b(hoje|today)\b", folded) else 86400.0
        )
        plan.calls.append((FleetToolName.FLEET_ENERGY_PER_CYCLE, {**scope, "window_s": window_s}))
    elif any(c in folded for c in ALARMS):
        plan.calls.append((FleetToolName.FLEET_ALARMS, scope))
    elif any(c in folded for c in COMMS):
        plan.calls.append((FleetToolName.FLEET_STATUS, scope))
    else:
        query = " ".join(w for w in words(re.sub(r"\d+", " ", folded)) if w not in NOT_TAG_WORDS)
        found = tag_index.search(query, limit=1, min_score=0.5) if query else []
        if found:
            plan.calls.append((FleetToolName.FLEET_READ_TAG, {**scope, "tags": [found[0][0].name]}))
        else:
            plan.calls.append((FleetToolName.FLEET_STATUS, scope))
    return plan


def _status(res: dict[str, Any], lang: Language, tz: str) -> list[str]:
    sites = res.get("sites", [])
    offline = [s for s in sites if not s["online"]]
    if not offline:
        return [
            say(
                lang,
                f"Todas as {len(sites)} eclusas estão comunicando.",
                f"All {len(sites)} locks are online.",
            )
        ]
    lines = [say(lang, "Sem comunicação:", "Not communicating:")]
    for s in offline:
        since = f" ({say(lang, 'desde', 'since')} {clock_time(s['since'], tz)})" if s.get("since") else ""
        lines.append(f"- {s['site']}{since}")
    online = len(sites) - len(offline)
    lines.append(say(lang, f"As outras {online} estão online.", f"The other {online} are online."))
    return lines


def _alarms(res: dict[str, Any], lang: Language, tz: str) -> list[str]:
    with_alarms = [s for s in res.get("sites", []) if s["alarms"]]
    quiet = [s["site"] for s in res.get("sites", []) if not s["alarms"]]
    if not with_alarms:
        return [say(lang, "Nenhuma eclusa com alarme ativo.", "No lock has an active alarm.")]
    lines = [say(lang, "Eclusas com alarme ativo:", "Locks with active alarms:")]
    for s in with_alarms:
        items = []
        for a in s["alarms"]:
            first = say(lang, ", primeira falha", ", first-out") if a.get("first_out") else ""
            items.append(f"{a['name']['pt' if lang is L.PT else 'en']} ({a['id']}; {a['priority']}{first})")
        lines.append(f"- {s['site']}: " + "; ".join(items))
    if quiet:
        lines.append(say(lang, "Sem alarme: ", "No alarm: ") + ", ".join(quiet))
    return lines


def _read(res: dict[str, Any], lang: Language, tz: str) -> list[str]:
    lines, voice = [], Voice(lang, tz)
    for s in res.get("sites", []):
        off = "" if s["online"] else say(lang, " (sem comunicação)", " (not communicating)")
        lines += [f"{s['site']}{off}: {reading_sentence(r, voice)}" for r in s.get("readings", [])]
    return lines


def _energy(res: dict[str, Any], lang: Language, tz: str) -> list[str]:
    sites = [s for s in res.get("sites", []) if s.get("mean_kwh") is not None]
    none = [s["site"] for s in res.get("sites", []) if s.get("mean_kwh") is None]
    if not sites:
        return [say(lang, "Nenhum ciclo completo no período.", "No complete cycle in the period.")]
    lines = [say(lang, "Energia por ciclo:", "Energy per cycle:")]
    for s in sorted(sites, key=lambda s: s["mean_kwh"]):
        kinds = ", ".join(f"{k} {number(v, 'kWh', lang)}" for k, v in s["mean_kwh_by_kind"].items())
        cycles = say(lang, f"{s['cycles']} ciclo(s)", f"{s['cycles']} cycle(s)")
        mean = number(s["mean_kwh"], "kWh", lang)
        lines.append(f"- {s['site']}: {cycles}, {say(lang, 'média', 'mean')} {mean} ({kinds})")
    if len(sites) > 1:
        ranked = sorted(sites, key=lambda s: s["mean_kwh"])
        low, high = ranked[0], ranked[-1]
        lines.append(
            say(
                lang,
                f"Menor consumo por ciclo: {low['site']}; maior: {high['site']}.",
                f"Lowest energy per cycle: {low['site']}; highest: {high['site']}.",
            )
        )
    if none:
        lines.append(say(lang, "Sem ciclo completo: ", "No complete cycle: ") + ", ".join(none))
    return lines


WRITERS = {
    FleetToolName.FLEET_STATUS.value: _status,
    FleetToolName.FLEET_ALARMS.value: _alarms,
    FleetToolName.FLEET_READ_TAG.value: _read,
    FleetToolName.FLEET_ENERGY_PER_CYCLE.value: _energy,
}


def fleet_answer(results: list[tuple[str, dict[str, Any]]], lang: Language, *, tz: str = "UTC") -> str:
    """The answer written from the fleet tools' results only (times in the plant's time zone `tz`)."""
    lines: list[str] = []
    for name, res in results:
        if res.get("error"):
            lines.append(say(lang, f"Não foi possível: {res['error']}.", f"Could not: {res['error']}."))
        elif name in WRITERS:
            lines += WRITERS[name](res, lang, tz)
    return "\n".join(lines)
