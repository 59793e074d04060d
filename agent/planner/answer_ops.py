"""Answers about operation: what the lock is doing, how long it takes, whether a sequence may start and why
not, what a history shows, and what became of a command request."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agent.planner.answer_alarms import active_alarms, alarm_name
from agent.planner.answer_readings import (
    MAX_LIMITS_SAID,
    Voice,
    label,
    limits_sentence,
    quality,
    reading_detail,
    reading_sentence,
)
from agent.planner.cues import asks_assessment, asks_past_a_line
from agent.planner.phrases import duration, reason
from agent.planner.question import Aggregate, Question, Threshold
from agent.planner.windows import AGO_MARGIN_S
from lockpilot.formatting import yes_no
from lockpilot.plant.commands import op_symbol
from lockpilot.text import fold

MODES = {0: ("manual", "manual"), 1: ("semiautomático", "semi-automatic"), 2: ("automático", "automatic")}
BASIS = {
    "measured_rate": ("pela taxa medida", "from the measured rate"),
    "gate_stroke": ("pelo curso da comporta", "from the gate's stroke"),
    "plant_parameters": ("pela taxa típica da planta", "from the plant's typical rate"),
}
GOING = {
    "enchimento": ("para a câmara encher", "for the chamber to fill"),
    "esvaziamento": ("para a câmara esvaziar", "for the chamber to empty"),
    "abertura_comporta_montante": ("para a comporta de montante abrir", "for the upstream gate to open"),
    "abertura_comporta_jusante": ("para a comporta de jusante abrir", "for the downstream gate to open"),
    "fechamento_comportas": ("para as comportas fecharem", "for the gates to close"),
}


def _pair(table: dict[Any, tuple[str, str]], key: Any, v: Voice) -> str:
    pt, en = table.get(key, (str(key), str(key)))
    return v.say(pt, en)


def _in_sentence(name: str) -> str:
    """A name as it stands inside a sentence: its first letter in lower case ("Enchimento da câmara")."""
    return name[:1].lower() + name[1:]


def _step_words(s: dict[str, Any], v: Voice) -> str:
    """ "passo 3 de 4 (abrir as válvulas de enchimento …)" of a running sequence."""
    step_name = (s.get("step_name") or {}).get(v.language.value, "")
    step = v.say(f"passo {s['step']} de {s['steps']}", f"step {s['step']} of {s['steps']}")
    return step + (f" ({_in_sentence(step_name)})" if step_name else "")


def _sequence_sentence(s: dict[str, Any], v: Voice) -> str:
    k = v.language.value
    step = f", {_step_words(s, v)}" if s.get("step") else ""
    text = v.say(
        f"A eclusa está em {s['name'][k].lower()}{step}", f"In progress: {s['name'][k].lower()}{step}"
    )
    if s.get("failed"):
        text += v.say(" — a sequência está em falha", " — the sequence is in fault")
    return text + "."


def _remaining_sentence(s: dict[str, Any], v: Voice) -> str:
    if s.get("remaining_s") is None:
        return ""
    going = _pair(GOING, s["sequence_id"], v)
    progress = ""
    if s.get("progress_pct") is not None:
        progress = v.say(f" ({s['progress_pct']:.0f} % feito)", f" ({s['progress_pct']:.0f} % done)")
    gap, side = s.get("level_gap_m"), _TARGET_SIDE.get(s["sequence_id"])
    to_go = (
        v.say(
            f" A câmara está a {v.number(float(gap), 'm')} do nível de {side[0]}.",
            f" The chamber is {v.number(float(gap), 'm')} from the {side[1]} level.",
        )
        if gap is not None and side is not None
        else ""
    )
    return (
        v.say(
            f"Faltam cerca de {duration(s['remaining_s'], v.language)} {going}{progress}, "
            f"{_pair(BASIS, s.get('basis'), v)}.",
            f"About {duration(s['remaining_s'], v.language)} left {going}{progress}, "
            f"{_pair(BASIS, s.get('basis'), v)}.",
        )
        + to_go
    )


# The level a level-changing sequence brings the chamber to, by its side (pt, en).
_TARGET_SIDE = {"enchimento": ("montante", "upstream"), "esvaziamento": ("jusante", "downstream")}


_OPERATORS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "=", "!=": "≠"}


def _condition_words(c: dict[str, Any], v: Voice) -> str:
    """One condition a step waits for, with its value now ("a diferença entre … for ≤ 0,05 m; agora 4,75 m",
    "comporta de montante fechada: agora não")."""
    names = [label(n) for n in c.get("names", [])]
    if isinstance(c.get("threshold"), bool):  # a bit: the state it waits for, and the state now
        now = (
            ""
            if c.get("value") is None
            else v.say(" (agora: ", " (now: ") + yes_no(c["value"], language=v.language) + ")"
        )
        return f"{' / '.join(names)}{now}"
    if c["reads"].startswith("diferença ") and len(names) == 2:
        what = v.say(
            f"a diferença entre {names[0]} e {names[1]}", f"the difference between {names[0]} and {names[1]}"
        )
    else:
        what = " / ".join(names) or c["reads"]
    operator = _OPERATORS.get(c.get("operator", ""), c.get("operator", ""))
    limit = f"{operator} {v.number(c['threshold'], c['unit'])}"
    now = "" if c.get("value") is None else v.say("; agora ", "; now ") + v.number(c["value"], c["unit"])
    return f"{what} {limit}{now}"


def step_wait_sentence(seq: dict[str, Any], v: Voice) -> str | None:
    """What ends the running step: its feedback, each condition with its value now, the unmet ones first."""
    waits = seq.get("waiting_for") or []
    if not waits:
        return None
    step = _step_words(seq, v)
    ordered = sorted(waits, key=lambda c: c.get("met") is True)
    joined = v.say(" e ", " and ") if seq.get("waiting_all", True) else v.say(" ou ", " or ")
    said = joined.join(_condition_words(c, v) for c in ordered)
    pending = sum(c.get("met") is not True for c in waits)
    left = (
        v.say(
            f" Falta{'m' if pending > 1 else ''} {pending} de {len(waits)}.",
            f" {pending} of {len(waits)} still to go.",
        )
        if len(waits) > 1 and pending
        else ""
    )
    name = seq["name"][v.language.value]
    failed = v.say(" (em falha)", " (in fault)") if seq.get("failed") else ""
    return (
        v.say(
            f"{name}{failed}, {step}: termina quando {said}.",
            f"{name}{failed}, {step}: ends when {said}.",
        )
        + left
    )


def _last_sequence_sentence(res: dict[str, Any], v: Voice) -> str | None:
    """The sequence that ran last (within the look-back) and when it stopped."""
    last = res.get("last_sequence")
    if not last:
        return None
    name, at = last["name"][v.language.value], v.time(last["ended"])
    name = f"{_in_sentence(name)} ({last['sequence_id']})"
    reached = "; ".join(r[v.language.value] for r in last.get("reached") or [])
    if last.get("completed"):  # its end state holds: "concluída", with what the field confirms
        return v.say(
            f"A última foi {name}, concluída às {at}: {reached}.",
            f"The last one was {name}, completed at {at}: {reached}.",
        )
    if last.get("completed") is False:
        return v.say(
            f"A última foi {name}, que parou às {at} sem chegar ao estado final"
            + (f" (só: {reached})." if reached else "."),
            f"The last one was {name}, which stopped at {at} without reaching its end state"
            + (f" (only: {reached})." if reached else "."),
        )
    return v.say(
        f"A última foi {name}, que parou às {at}.", f"The last one was {name}, which stopped at {at}."
    )


def running_now(res: dict[str, Any], v: Voice) -> list[str]:
    """The sequence running and its time left, from a status result; nothing when none runs."""
    seq = res.get("sequence")
    if not seq:
        return []
    return [_sequence_sentence(seq, v), *filter(None, [_remaining_sentence(seq, v)])]


def _sequence_unknown_sentence(last: dict[str, Any], v: Voice) -> str:
    """The sequence word not current (the PLC link down): whether one runs cannot be said; its last code."""
    known = (
        v.say(
            f" (última leitura: código {v.number(last['value'])} às {v.time(last['time'])})",
            f" (last reading: code {v.number(last['value'])} at {v.time(last['time'])})",
        )
        if last.get("time") is not None
        else ""
    )
    return v.say(
        f"Não sei dizer se há sequência em andamento: a leitura do CLP não está atualizada{known}.",
        f"I cannot tell whether a sequence is running: the PLC reading is not current{known}.",
    )


def status(res: dict[str, Any], v: Voice, *, step_wait: bool = False) -> tuple[list[str], list[str]]:
    """Sequence, step, progress, time left; alarms with the first-out; untrusted readings; calm in a line.
    With `step_wait`, what ends the running step comes first."""
    seq, alarms, untrusted = res.get("sequence"), res.get("alarms", []), res.get("untrusted", [])
    waits = step_wait_sentence(seq, v) if step_wait and seq else None
    if waits and seq:
        return [waits, *filter(None, [_remaining_sentence(seq, v)])], _levels(res, v)
    mode = _pair(MODES, res.get("mode"), v) if res.get("mode") is not None else ""
    if not seq and not alarms and not untrusted and not res.get("sequence_unknown"):
        calm = v.say(
            f"Tudo calmo: nenhuma sequência em andamento, nenhum alarme ativo e as leituras estão boas"
            f"{f' (modo {mode})' if mode else ''}.",
            f"All calm: no sequence running, no active alarm and the readings are good"
            f"{f' ({mode} mode)' if mode else ''}.",
        )
        last = _last_sequence_sentence(res, v)  # "terminou?" just after it ended: which, and when
        return [calm, *([last] if last else [])], _levels(res, v)
    lines = []
    if seq:
        lines.append(_sequence_sentence(seq, v))
        remaining = _remaining_sentence(seq, v)
        if remaining:
            lines.append(remaining)
        moving = _moving(res, v)
        if moving:
            lines.append(moving)
    elif res.get("sequence_unknown"):
        lines.append(_sequence_unknown_sentence(res["sequence_unknown"], v))
    else:
        lines.append(
            v.say("Nenhuma sequência em andamento", "No sequence running") + (f" ({mode})." if mode else ".")
        )
        last = _last_sequence_sentence(res, v)
        if last:
            lines.append(last)
    if alarms:
        lines += active_alarms({"alarms": alarms}, v)[0]
    else:
        lines.append(v.say("Nenhum alarme ativo.", "No active alarms."))
    if untrusted:
        names = ", ".join(r["tag"] for r in untrusted[:4])
        lines.append(
            v.say(f"Atenção às leituras não confiáveis: {names}.", f"Watch the untrusted readings: {names}.")
        )
    return lines, _levels(res, v)


LEVEL_SEQUENCES = ("enchimento", "esvaziamento")
LEVEL_MOTION = ("nivel_camara", "taxa_variacao_nivel_camara")
GATE_MOTION = ("posicao_comporta_montante", "posicao_comporta_jusante")


def _moving(res: dict[str, Any], v: Voice) -> str:
    """What the running sequence moves, now: the chamber level and rate, the gate positions."""
    by_tag = {r["tag"]: r for r in res.get("readings", []) if r.get("value") is not None}
    levels = (res.get("sequence") or {}).get("sequence_id") in LEVEL_SEQUENCES
    shown = [
        by_tag[t]
        for t in (LEVEL_MOTION if levels else GATE_MOTION)
        if t in by_tag and not (t in GATE_MOTION and float(by_tag[t]["value"]) in (0.0, 100.0))  # at rest
    ]
    if not shown:
        return ""
    rate = by_tag.get(LEVEL_MOTION[1]) if levels else None
    motion = _chamber_motion(rate, v) if rate is not None else ""
    shown = [r for r in shown if not (motion and r is rate)]  # the rate is said in the motion
    said = "; ".join(f"{label(r['description'])} {v.number(r['value'], r.get('unit', ''))}" for r in shown)
    return v.say("Agora: ", "Now: ") + motion + said + "."


SETTLED_RATE = 0.05  # m/min: below it the chamber level is still (the sequences' own settling line)


def _chamber_motion(reading: dict[str, Any], v: Voice) -> str:
    """ "a câmara está enchendo (sobe 0,86 m/min, limite 1,2 m/min); " from the measured rate, whatever the
    sequence says, with the fault rule's limit on that side."""
    rate, unit = float(reading["value"]), reading.get("unit", "")
    if abs(rate) < SETTLED_RATE:
        return v.say("o nível da câmara está estável; ", "the chamber level is steady; ")
    side = "above" if rate > 0 else "below"
    limit = next((lim for lim in reading.get("limits") or [] if lim["side"] == side), None)
    bound = f", {v.say('limite', 'limit')} {v.number(abs(limit['value']), unit)}" if limit else ""
    speed = v.number(abs(rate), unit) + bound
    if rate > 0:
        return v.say(f"a câmara está enchendo (sobe {speed}); ", f"the chamber is filling (rising {speed}); ")
    return v.say(
        f"a câmara está esvaziando (desce {speed}); ", f"the chamber is emptying (falling {speed}); "
    )


def _levels(res: dict[str, Any], v: Voice) -> list[str]:
    levels = [r for r in res.get("readings", []) if r["tag"].startswith("nivel_")]
    return [reading_detail(r, v) for r in levels]


ESTIMATE_TAGS = ("nivel_camara", "taxa_variacao_nivel_camara")  # what the time left is measured from


def estimate_caution(res: dict[str, Any], v: Voice) -> str | None:
    """When the reading a time-left estimate stands on is suspect (a frozen or disagreeing transmitter),
    say so, with the alarm and the redundant transmitter: the estimate may be wrong."""
    names = {a["id"]: f"«{a['name'][v.language.value]}» ({a['id']})" for a in res.get("alarms", [])}
    for r in res.get("readings", []):
        if r["tag"] in ESTIMATE_TAGS and r.get("suspect_by"):
            why = ", ".join(names.get(a, a) for a in r["suspect_by"])
            other = r.get("redundant") or {}
            beside = ""
            if other.get("value") is not None:
                value = v.number(other["value"], r["unit"])
                beside = v.say(
                    f" O transmissor redundante ({other['tag']}) marca {value}.",
                    f" The redundant transmitter ({other['tag']}) reads {value}.",
                )
            return (
                v.say(
                    f"Atenção: a estimativa usa a leitura de {r['tag']}, que é suspeita ({why}); confirme "
                    "pela régua.",
                    f"Caution: the estimate uses the {r['tag']} reading, which is suspect ({why}); check the "
                    "staff gauge.",
                )
                + beside
            )
    return None


def time_to(
    res: dict[str, Any], q: Question, v: Voice, *, checked: dict[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """How long until the running sequence reaches its goal (flagged when its reading is suspect); with none
    running, how long the sequence asked about (`checked`) would take, else say so."""
    seq = res.get("sequence")
    caution = estimate_caution(res, v)
    if seq and seq.get("remaining_s") is not None:
        lines = [_remaining_sentence(seq, v), *([caution] if caution else []), _sequence_sentence(seq, v)]
        return lines, _levels(res, v)
    if seq:
        cannot = v.say(" Não consigo estimar o tempo restante.", " I cannot estimate the time left.")
        moving = _moving(res, v)  # where what it moves stands: "posição da comporta de montante 34 %"
        lines = [_sequence_sentence(seq, v) + cannot, *([moving] if moving else [])]
        return [*lines, *([caution] if caution else [])], _levels(res, v)
    readings = {r["tag"]: r for r in res.get("readings", [])}
    levels = [
        readings[t] for t in ("nivel_camara", "nivel_reservatorio_montante", "nivel_jusante") if t in readings
    ]
    said = " ".join(reading_sentence(r, v) for r in levels)
    if res.get("sequence_unknown"):  # the PLC link down: no time left to give, and no "none is running"
        return [_sequence_unknown_sentence(res["sequence_unknown"], v), said], []
    if checked is not None and checked.get("check") and checked.get("estimate_s") is not None:
        return [_would_take(checked, v), said], []
    return [
        v.say(
            "Nenhuma sequência está em andamento, então não há enchimento ou esvaziamento para prever.",
            "No sequence is running, so there is no filling or emptying to predict.",
        ),
        said,
    ], []


def _sequence_name(check: dict[str, Any], v: Voice) -> str:
    """A sequence's name (of a check or a remedy) inside a sentence ("enchimento da câmara")."""
    return _in_sentence(check["name"][v.language.value])


def _would_take(checked: dict[str, Any], v: Voice) -> str:
    """ "How long would the filling take?" with none running: its estimate from now, and whether it may
    start now."""
    c = checked["check"]
    name = _sequence_name(c, v)
    took = duration(checked["estimate_s"], v.language)
    failing = sum(1 for p in c["preconditions"] if not p["passed"])
    unmet = "condições não atendidas" if failing > 1 else "condição não atendida"
    may = (
        v.say("pode começar agora", "it may start now")
        if c["permitted"]
        else v.say(
            f"agora não pode começar ({failing} {unmet})",
            f"it may not start now ({failing} condition{'s' if failing > 1 else ''} not met)",
        )
    )
    return v.say(
        f"Nenhuma sequência está em andamento; {name} levaria cerca de {took} a partir de agora, e {may}.",
        f"No sequence is running; {name} would take about {took} from now, and {may}.",
    )


def check(res: dict[str, Any], v: Voice, *, why_not: bool = False) -> tuple[list[str], list[str]]:
    """Yes or no first; each failing precondition with its measured value and limit; what makes it pass."""
    c = res["check"]
    name = _sequence_name(c, v)
    failing = [p for p in c["preconditions"] if not p["passed"]]
    if c["permitted"]:
        return [
            v.say(
                f"{'Nada impede agora' if why_not else 'Sim, pode'}: as {len(c['preconditions'])} condições "
                "para "
                f"{name} ({c['sequence_id']}) estão atendidas.",
                f"{'Nothing blocks it now' if why_not else 'Yes'}: all {len(c['preconditions'])} conditions "
                "for "
                f"{name} ({c['sequence_id']}) are met.",
            )
        ], []
    lines = [
        v.say(
            f"Não: {len(failing)} condiç{'ões impedem' if len(failing) > 1 else 'ão impede'} {name} agora.",
            f"No: {len(failing)} condition{'s block' if len(failing) > 1 else ' blocks'} {name} now.",
        )
    ]
    for p in failing:
        lines.append("– " + _failing(p, v))
    for remedy in res.get("remedies", []):
        estimate = (
            v.say(
                f" (cerca de {duration(remedy['estimate_s'], v.language)})",
                f" (about {duration(remedy['estimate_s'], v.language)})",
            )
            if remedy.get("estimate_s")
            else ""
        )
        rname = _sequence_name(remedy, v)
        lines.append(
            v.say(
                f"Para liberar, faça antes o {rname}{estimate}.", f"To clear it, run {rname} first{estimate}."
            )
        )
    return lines, []


def running_remedy(seq: dict[str, Any], v: Voice) -> str:
    """The sequence that will clear the interlock is already running (and how long it has left)."""
    name = seq["name"][v.language.value].lower()
    left = ""
    if seq.get("remaining_s") is not None:
        minutes = duration(seq["remaining_s"], v.language)
        left = v.say(f": faltam cerca de {minutes}", f": about {minutes} left")
    return v.say(
        f"O {name} em andamento resolve isso{left}; depois disso a manobra fica liberada.",
        f"The {name} under way clears it{left}; after that the operation is allowed.",
    )


def _failing(p: dict[str, Any], v: Voice) -> str:
    sentence = p["sentence"][v.language.value]
    if p.get("value") is None:
        return sentence + v.say(": dado indisponível ou não confiável.", ": data missing or untrusted.")
    value, unit = p["value"], p.get("unit", "")
    limit = p.get("threshold")
    shown_limit = f" {v.say('(limite', '(limit')} {v.number(limit, unit)})" if limit is not None else ""
    return f"{sentence}: {v.say('está em', 'it is')} {v.number(value, unit)}{shown_limit}."


def _extreme(points: list[dict[str, Any]], pick: Aggregate) -> dict[str, Any] | None:
    """The bucket (or raw point) where the highest or lowest value was seen."""
    key = "max" if pick is Aggregate.MAX else "min"
    valued = [
        (p[key] if p.get(key) is not None else p["value"], p) for p in points if p.get("value") is not None
    ]
    if not valued:
        return None
    chosen = max(valued, key=lambda vp: vp[0]) if pick is Aggregate.MAX else min(valued, key=lambda vp: vp[0])
    return chosen[1]


def _extreme_against_limits(
    value: float, limits: list[dict[str, Any]], aggregate: Aggregate, unit: str, v: Voice
) -> list[str]:
    """A window's maximum (minimum) against the fault rules' lines above (below) it: past each, or not."""
    side = "above" if aggregate is Aggregate.MAX else "below"
    lines = []
    for lim in [lim for lim in limits if lim.get("side") == side][:MAX_LIMITS_SAID]:
        past = value > lim["value"] if side == "above" else value < lim["value"]
        line, rule = v.number(lim["value"], unit), f"«{lim['name']}»"
        lines.append(
            v.say(f"Passou do limite de {line} ({rule}).", f"It went past the {line} limit ({rule}).")
            if past
            else v.say(
                f"Não passou do limite de {line} ({rule}).", f"It stayed within the {line} limit ({rule})."
            )
        )
    return lines


def history(res: dict[str, Any], q: Question, v: Voice, description: str) -> tuple[list[str], list[str]]:
    """The statistic asked for (or the range of the window), when it happened, and where the value is now."""
    s, unit, name = res.get("stats") or {}, res.get("unit", ""), label(description)
    minutes = round(res.get("window_s") or q.window_s or 3600.0) / 60  # the window the tool read
    window = (
        v.say(f"nos últimos {v.number(minutes)} min", f"over the last {v.number(minutes)} min")
        if minutes < 120
        else v.say(f"nas últimas {v.number(minutes / 60)} h", f"over the last {v.number(minutes / 60)} h")
    )
    if not s.get("n_values"):
        return [
            v.say(f"Não há histórico de {name} {window}.", f"There is no history of {name} {window}.")
        ], []
    now = v.say(f"agora {v.number(s['last'], unit)}", f"now {v.number(s['last'], unit)}")
    valued = [p for p in res.get("points", []) if isinstance(p.get("value"), int | float)]
    if res.get("boolean"):
        return [bit_history_sentence(valued, s, q, name, window, v, start=res.get("start"))], []
    if q.aggregate is Aggregate.TREND and len(valued) >= 2:
        near = [lim for lim in res.get("limits") or [] if lim.get("near") or lim.get("active")]
        assess = asks_assessment(fold(q.text))
        limits = limits_sentence(res.get("limits") or [], unit, v) if near or assess else None
        return [trend_sentence(valued, name, unit, v), *([limits] if limits else [])], []
    if q.aggregate is Aggregate.AGO and valued:
        then = point_at(valued, res.get("start"), after_s=AGO_MARGIN_S)
        return [
            v.say(
                f"Às {v.time(then['time'])}, {name} marcava {v.number(then['value'], unit)}; {now}.",
                f"At {v.time(then['time'])}, {name} read {v.number(then['value'], unit)}; {now}.",
            )
        ], []
    if q.aggregate in (Aggregate.MAX, Aggregate.MIN):
        point = _extreme(res.get("points", []), q.aggregate)
        value = s["max"] if q.aggregate is Aggregate.MAX else s["min"]
        at = (
            v.say(f" (por volta das {v.time(point['time'])})", f" (around {v.time(point['time'])})")
            if point
            else ""
        )
        word = v.say(
            "maior" if q.aggregate is Aggregate.MAX else "menor",
            "highest" if q.aggregate is Aggregate.MAX else "lowest",
        )
        judged = asks_assessment(fold(q.text)) or asks_past_a_line(fold(q.text))
        against = (
            _extreme_against_limits(value, res.get("limits") or [], q.aggregate, unit, v) if judged else []
        )
        return [
            v.say(
                f"O {word} valor de {name} {window} foi {v.number(value, unit)}{at}; {now}.",
                f"The {word} {name} {window} was {v.number(value, unit)}{at}; {now}.",
            ),
            *against,
        ], []
    if q.aggregate is Aggregate.MEAN:
        return [
            v.say(
                f"A média de {name} {window} foi {v.number(s['mean'], unit)}; {now}.",
                f"The mean {name} {window} was {v.number(s['mean'], unit)}; {now}.",
            )
        ], []
    return [
        v.say(
            f"{name[:1].upper() + name[1:]} {window}: entre {v.number(s['min'], unit)} e "
            f"{v.number(s['max'], unit)} "
            f"(média {v.number(s['mean'], unit)}); {now}.",
            f"{name[:1].upper() + name[1:]} {window}: between {v.number(s['min'], unit)} and "
            f"{v.number(s['max'], unit)} "
            f"(mean {v.number(s['mean'], unit)}); {now}.",
        )
    ], [
        v.say(
            f"Gráfico com {len(res.get('points', []))} pontos.",
            f"Chart with {len(res.get('points', []))} points.",
        )
    ]


def point_at(points: list[dict[str, Any]], start: Any, *, after_s: float) -> dict[str, Any]:
    """The value in force `after_s` past the window's start ("2 minutos atrás"): the last point at or
    before that moment (history stored by exception holds a value until the next point), else the first."""
    try:
        target = datetime.fromisoformat(str(start)).timestamp() + after_s
    except ValueError:
        return points[0]
    before = [p for p in points if datetime.fromisoformat(str(p["time"])).timestamp() <= target]
    return before[-1] if before else points[0]


def bit_history_sentence(
    points: list[dict[str, Any]],
    s: dict[str, Any],
    q: Question,
    name: str,
    window: str,
    v: Voice,
    *,
    start: Any,
) -> str:
    """A bit over a window: what it was then ("há 5 min"), whether it changed, since when it is as now."""
    subject = name[:1].upper() + name[1:]
    last = bool(round(float(s["last"])))
    now = yes_no(last, language=v.language)
    if q.aggregate is Aggregate.AGO and points:
        point = point_at(points, start, after_s=AGO_MARGIN_S)
        then = yes_no(bool(round(float(point["value"]))), language=v.language)
        return v.say(
            f"Às {v.time(point['time'])}, {name}: {then}; agora {now}.",
            f"At {v.time(point['time'])}, {name}: {then}; now {now}.",
        )
    if s.get("min") == s.get("max"):
        return v.say(f"{subject} {window}: sempre {now}.", f"{subject} {window}: {now} throughout.")
    since = next(
        (p for i, p in enumerate(points) if all(bool(round(float(o["value"]))) == last for o in points[i:])),
        None,
    )
    share = round(100 * float(s.get("mean") or 0.0))
    at = v.say(f" desde as {v.time(since['time'])}", f" since {v.time(since['time'])}") if since else ""
    return v.say(
        f"{subject} {window}: mudou de estado (sim em cerca de {share} % do tempo); agora {now}{at}.",
        f"{subject} {window}: changed (yes about {share} % of the time); now {now}{at}.",
    )


STEADY_FRACTION = 0.01  # a change under 1 % of the value (at least of 1 unit) over the window is steady


def trend_sentence(points: list[dict[str, Any]], name: str, unit: str, v: Voice) -> str:
    """Which way a value went over the window: from, to, and the rate per minute; or steady."""
    first, last = points[0], points[-1]
    delta = float(last["value"]) - float(first["value"])
    minutes = max((_seconds_between(first["time"], last["time"]) or 60.0) / 60.0, 1 / 60)
    scale = max(abs(float(last["value"])), 1.0)
    start, end = v.number(first["value"], unit), v.number(last["value"], unit)
    subject = name[:1].upper() + name[1:]
    if abs(delta) < STEADY_FRACTION * scale:
        return v.say(
            f"{subject} está estável: {start} às {v.time(first['time'])}, {end} agora.",
            f"{subject} is steady: {start} at {v.time(first['time'])}, {end} now.",
        )
    rate = v.number(abs(delta) / minutes, f"{unit}/min" if unit else "/min")
    up = delta > 0
    return v.say(
        f"{subject} está {'subindo' if up else 'baixando'}: de {start} às {v.time(first['time'])} para {end} "
        f"agora ({'+' if up else '−'}{rate}).",
        f"{subject} is {'rising' if up else 'falling'}: from {start} at {v.time(first['time'])} to {end} "
        f"now ({'+' if up else '−'}{rate}).",
    )


def _seconds_between(a: Any, b: Any) -> float | None:
    try:
        return (datetime.fromisoformat(str(b)) - datetime.fromisoformat(str(a))).total_seconds()
    except ValueError:
        return None


def against_threshold(readings: list[dict[str, Any]], t: Threshold, v: Voice) -> list[str]:
    """ "passou de 4,5 mm/s?": yes or no, from the value now."""
    first = next((r for r in readings if isinstance(r.get("value"), int | float)), None)
    if first is None or isinstance(first["value"], bool):
        return []
    value, unit = float(first["value"]), first.get("unit", "")
    line, limit = t.value, v.number(t.value, t.unit or unit)
    if t.unit == "%" and unit != "%" and first.get("nominal"):  # "acima de 130 % do nominal?"
        line = t.value / 100.0 * float(first["nominal"])
        limit = v.say(
            f"{v.number(t.value, '%')} do nominal ({v.number(line, unit)})",
            f"{v.number(t.value, '%')} of nominal ({v.number(line, unit)})",
        )
    beyond = value > line if t.above else value < line
    now = v.number(value, unit)
    side = v.say("acima de" if value > line else "abaixo de", "above" if value > line else "below")
    return [
        v.say(
            f"{'Sim' if beyond else 'Não'}: agora está em {now}, {side} {limit}.",
            f"{'Yes' if beyond else 'No'}: it reads {now} now, {side} {limit}.",
        )
    ]


def crossing(res: dict[str, Any], q: Question, v: Voice, description: str) -> tuple[list[str], list[str]]:
    """When the value last went above (or below) the threshold asked about."""
    assert q.threshold is not None
    t, unit, name = q.threshold, res.get("unit", ""), label(description)
    points = [p for p in res.get("points", []) if p.get("value") is not None]
    beyond = [p for p in points if (p["value"] > t.value if t.above else p["value"] < t.value)]
    word = v.say("passou de" if t.above else "ficou abaixo de", "went above" if t.above else "went below")
    limit = v.number(t.value, t.unit or unit)
    days = round((q.window_s or 7 * 86400) / 86400, 1)
    if not beyond:
        s = res.get("stats") or {}
        extreme = s.get("max") if t.above else s.get("min")
        return [
            v.say(
                f"{name[:1].upper() + name[1:]} não {word} {limit} nos últimos {days:g} dias (extremo "
                f"{v.number(extreme, unit)}).",
                f"{name[:1].upper() + name[1:]} did not go {'above' if t.above else 'below'} {limit} in the "
                f"last {days:g} days (extreme {v.number(extreme, unit)}).",
            )
        ], []
    last = beyond[-1]
    return [
        v.say(
            f"{name[:1].upper() + name[1:]} {word} {limit} pela última vez em {v.moment(last['time'])} "
            f"({v.number(last['value'], unit)}).",
            f"{name[:1].upper() + name[1:]} last {word} {limit} on {v.moment(last['time'])} "
            f"({v.number(last['value'], unit)}).",
        )
    ], []


def command(res: dict[str, Any], q: Question, v: Voice) -> tuple[list[str], list[str]]:
    """A request waiting for an operator, or why it was refused (nothing written)."""
    out = res.get("outcome") or {}
    rules_kept = (
        [
            v.say(
                "As regras de segurança e os intertravamentos não podem ser ignorados: todo pedido passa por "
                "eles e pela aprovação de um operador.",
                "Safety rules and interlocks cannot be ignored: every request goes through them and "
                "through an operator's approval.",
            )
        ]
        if _BYPASS.search(fold(q.text))
        else []
    )
    if not out and res.get("error"):  # no command desk: the PLC link or the database is down
        unavailable = v.say(
            "Não registrei o pedido: o caminho de comandos não está disponível agora (sem link com o CLP ou "
            "sem banco de dados). Nada foi escrito no CLP.",
            "I did not record the request: the command path is not available now (no PLC link or no "
            "database). Nothing was written to the PLC.",
        )
        return [*rules_kept, unavailable], []
    lines, details = _command_outcome(out, v)
    return rules_kept + lines, details


_BYPASS = re.compile(
    r"\b(ignor\w*|sem (as )?regras|burl\w*|bypass (the )?(rules|interlocks?)|override|disregard|forget)\b"
)


def _failing_conditions(found: dict[str, Any], v: Voice) -> str:
    """ ": niveis_equalizados_montante == true (agora: não)" for each precondition that fails."""
    failing = [p for p in found.get("preconditions", []) if not p.get("passed")]
    if not failing:
        return ""
    now = v.say("agora", "now")

    def value_of(p: dict[str, Any]) -> str:
        if p.get("value") is None or p.get("quality") not in (None, "good"):
            q = (
                quality(p.get("quality"), v.language)
                if p.get("quality")
                else v.say("sem leitura", "no reading")
            )
            return v.say(f"sem leitura confiável — {q}", f"no trusted reading — {q}")
        return v.number(p.get("value"), p.get("unit", ""))

    def plainly(p: dict[str, Any]) -> str:
        if "description" not in p or "expected" not in p:
            return f"{p['condition']} ({now}: {value_of(p)})"
        name = label(p["description"][v.language.value])
        expected = p["expected"]
        if isinstance(expected, bool):  # "falha de cavitação da bomba principal: sim (precisa ser não)"
            wanted = v.number(expected)
            return v.say(
                f"{name}: {value_of(p)} (precisa ser {wanted})", f"{name}: {value_of(p)} (must be {wanted})"
            )
        op = op_symbol(p.get("op", ""))
        wanted = f"{op} {v.number(expected, p.get('unit', ''))}"
        return v.say(
            f"{name} está em {value_of(p)} (precisa ser {wanted})",
            f"{name} is {value_of(p)} (must be {wanted})",
        )

    return ": " + "; ".join(plainly(p) for p in failing)


def _command_outcome(out: dict[str, Any], v: Voice) -> tuple[list[str], list[str]]:
    if out.get("outcome") == "pending":
        s = out["summary"]
        title = s["title_pt" if v.language.value == "pt" else "title_en"]
        return [
            v.say(
                f"Pedido registrado: {title}. Ele só será executado depois que um operador aprovar "
                f"(até {v.time(s['expires_at'])}).",
                f"Request recorded: {title}. It runs only after an operator approves it (until "
                f"{v.time(s['expires_at'])}).",
            )
        ], [
            v.say("Risco: ", "Risk: ") + s["risk_pt" if v.language.value == "pt" else "risk_en"],
            f"{out['command_id']}: {s['tag']} := {v.number(s['value'])}",
        ]
    found = out.get("details") or {}
    overridden_by = found.get("overridden_by")
    why = (
        v.say(
            f"a sequência {overridden_by} do CLP está em andamento e comanda este equipamento — o CLP "
            "sobrescreveria o comando na próxima varredura. Para parar o que a sequência faz, peça para "
            "abortar a sequência (abortar_sequencia)",
            f"the PLC sequence '{overridden_by}' is running and drives this equipment — the PLC would "
            "override the command on its next scan. To stop what the sequence is doing, ask to abort the "
            "sequence (abortar_sequencia)",
        )
        if overridden_by
        else reason(out.get("reason", ""), v.language) + _failing_conditions(found, v)
    )
    lines = [
        v.say("Não vou pedir esse comando: ", "I will not request that command: ")
        + why
        + v.say(". Nada foi escrito no CLP.", ". Nothing was written to the PLC.")
    ]
    details = [
        f"{p['tag']} = {v.number(p['value'])} ({overridden_by})"
        if overridden_by and "condition_en" in p
        else f"{p.get('condition_en', p['condition']) if v.language.value == 'en' else p['condition']}: "
        f"{v.number(p['value'], p.get('unit', ''))}"
        for p in found.get("preconditions", [])
        if not p["passed"]
    ]
    return lines, details


def first_out_name(res: dict[str, Any], v: Voice) -> str:
    first = res.get("first_out")
    return alarm_name(first, v) if first else ""
