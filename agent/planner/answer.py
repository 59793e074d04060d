"""Write the offline planner's answer from tool results only: every number with unit, time and quality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.planner.metering_answers import energy_lines, power_lines
from agent.planner.phrases import clock_time, number, quality, reason, say
from agent.planner.whatif_answer import what_if_lines
from lockpilot.language import Language
from tools.registry import ToolName

L = Language


def reading_line(r: dict[str, Any], lang: Language) -> str:
    """One tag reading; stale, bad or missing data is said to be so and never given as current."""
    tag, unit, fresh = r["tag"], r.get("unit", ""), r["freshness"]
    value = number(r.get("value"), unit, lang)
    if fresh == "current":
        return f"{r['description']}: {value} ({tag}, {clock_time(r['time'])}, " + say(
            lang, f"qualidade {quality(r['quality'], lang)}).", f"quality {quality(r['quality'], lang)})."
        )
    if fresh == "missing":
        return say(
            lang,
            f"{r['description']} ({tag}): sem leitura disponível.",
            f"{r['description']} ({tag}): no reading available.",
        )
    if fresh == "stale":
        return say(
            lang,
            f"{r['description']} ({tag}): sem valor atual — o último valor, {value} às "
            f"{clock_time(r['time'])}, tem {r['age_s']:.0f} s e está desatualizado.",
            f"{r['description']} ({tag}): no current value — the last value, {value} at "
            f"{clock_time(r['time'])}, is {r['age_s']:.0f} s old (stale).",
        )
    q = quality(r["quality"], lang)
    return say(
        lang,
        f"{r['description']} ({tag}): dado não confiável (qualidade {q}); último valor {value} às "
        f"{clock_time(r['time'])}, não use como atual.",
        f"{r['description']} ({tag}): untrusted data (quality {q}); last value {value} at "
        f"{clock_time(r['time'])}, do not use it as current.",
    )


def _read(res: dict[str, Any], lang: Language) -> list[str]:
    return [reading_line(r, lang) for r in res.get("readings", [])]


def _history(res: dict[str, Any], lang: Language) -> list[str]:
    s, unit, tag = res.get("stats") or {}, res.get("unit", ""), res.get("tag", "")
    if not s.get("n_values"):
        return [
            say(
                lang,
                f"Sem histórico de {tag} entre {clock_time(res.get('start'))} e "
                f"{clock_time(res.get('end'))}.",
                f"No history of {tag} between {clock_time(res.get('start'))} and "
                f"{clock_time(res.get('end'))}.",
            )
        ]
    good = f"{100 * (s.get('good_share') or 0):.0f}%"
    head = say(
        lang,
        f"{tag} de {clock_time(res['start'])} a {clock_time(res['end'])} ({s['count']} amostras, "
        f"{good} com qualidade boa): ",
        f"{tag} from {clock_time(res['start'])} to {clock_time(res['end'])} ({s['count']} samples, "
        f"{good} good quality): ",
    )
    body = say(
        lang,
        "mín {0}, máx {1}, média {2}, último {3} às {4}.",
        "min {0}, max {1}, mean {2}, last {3} at {4}.",
    )
    line = head + body.format(
        number(s["min"], unit),
        number(s["max"], unit),
        number(s["mean"], unit),
        number(s["last"], unit),
        clock_time(s.get("last_time")),
    )
    chart = say(
        lang, f"Gráfico: {len(res.get('points', []))} pontos", f"Chart: {len(res.get('points', []))} points"
    )
    every = f" ({res['every_s']:g} s)" if res.get("every_s") else ""
    return [line, chart + every + "."]


def _alarm_line(a: dict[str, Any], lang: Language) -> str:
    name = a["name"]["pt" if lang is L.PT else "en"]
    since = (
        say(lang, f", desde {clock_time(a['since'])}", f", since {clock_time(a['since'])}")
        if a.get("since")
        else ""
    )
    first = " — first-out" if a.get("first_out") else ""
    return f"- {name} ({a['id']}; {a['priority']}; {a['state']}{since}){first}"


def _alarms(res: dict[str, Any], lang: Language) -> list[str]:
    alarms = res.get("alarms", [])
    if not alarms:
        return [say(lang, "Nenhum alarme ativo.", "No active alarms.")]
    return [say(lang, f"{len(alarms)} alarme(s) ativo(s):", f"{len(alarms)} active alarm(s):")] + [
        _alarm_line(a, lang) for a in alarms
    ]


def _explain(res: dict[str, Any], lang: Language) -> list[str]:
    rule, k = res["rule"], "pt" if lang is L.PT else "en"
    alarm = res.get("alarm")
    state = (
        say(
            lang,
            f"ativo desde {clock_time(alarm['since'])} ({alarm['state']})",
            f"active since {clock_time(alarm['since'])} ({alarm['state']})",
        )
        if alarm
        else say(lang, "não está ativo agora", "not active now")
    )
    lines = [
        f"{rule['name'][k]} ({rule['id']}, {rule['severity']}): {state}.",
        say(lang, "Causa: ", "Cause: ") + rule["cause"][k],
        say(lang, "Consequência: ", "Consequence: ") + rule["consequence"][k],
    ]
    if rule.get("plc_actions"):
        lines.append(
            say(lang, "O CLP faz automaticamente: ", "The PLC does automatically: ")
            + "; ".join(a[k] for a in rule["plc_actions"])
            + "."
        )
    lines.append(say(lang, "Ação recomendada: ", "Recommended action: ") + rule["action"][k])
    if res.get("first_out"):
        lines.append(say(lang, "Primeiro alarme (first-out): ", "First-out alarm: ") + res["first_out"]["id"])
    lines += [reading_line(r, lang) for r in res.get("live_values", [])]
    lines += _knowledge({"hits": res.get("knowledge", [])[:1]}, lang)
    return lines


def _check(res: dict[str, Any], lang: Language) -> list[str]:
    c, k = res["check"], "pt" if lang is L.PT else "en"
    if c["permitted"]:
        lines = [
            say(
                lang,
                f"Sim: {c['name'][k]} ({c['sequence_id']}) está permitida agora; todas as "
                f"{len(c['preconditions'])} pré-condições atendidas.",
                f"Yes: {c['name'][k]} ({c['sequence_id']}) is permitted now; all "
                f"{len(c['preconditions'])} preconditions are met.",
            )
        ]
    else:
        lines = [
            say(
                lang,
                f"Não: {c['name'][k]} ({c['sequence_id']}) não está permitida agora. Falham:",
                f"No: {c['name'][k]} ({c['sequence_id']}) is not permitted now. Failing:",
            )
        ]
    for p in c["preconditions"]:
        if p["passed"]:
            continue
        if p.get("data_age_s") is None and p.get("value") is None:
            detail = say(lang, "dado indisponível ou não confiável", "data missing or untrusted")
        else:
            detail = say(
                lang,
                f"valor {number(p['value'], p.get('unit', ''), lang)}, limite {p['threshold']}, "
                f"idade {p['data_age_s']} s",
                f"value {number(p['value'], p.get('unit', ''), lang)}, threshold {p['threshold']}, "
                f"age {p['data_age_s']} s",
            )
        lines.append(f"- {p['sentence'][k]} ({p.get('tag') or p['id']}): {detail}")
    return lines


def _knowledge(res: dict[str, Any], lang: Language) -> list[str]:
    lines = []
    for hit in res.get("hits", []):
        text = " ".join(hit["text"].split())
        text = text if len(text) <= 400 else text[:397].rsplit(" ", 1)[0] + "..."
        lines.append(f"{hit['heading']} [{hit['id']}]: {text}")
    return lines


def _kpis(res: dict[str, Any], lang: Language) -> list[str]:
    k, hours = res.get("kpis", {}), res.get("window_s", 0) / 3600
    chatter = ", ".join(k.get("chattering", [])) or "—"
    return [
        say(
            lang,
            f"Últimas {hours:g} h: {k.get('activations', 0)} ativações ({k.get('per_hour', 0)}/h), "
            f"pico de {k.get('peak_per_10min', 0)} em 10 min, {k.get('floods', 0)} avalanches, "
            f"{k.get('standing_now', 0)} ativos agora; chattering: {chatter}.",
            f"Last {hours:g} h: {k.get('activations', 0)} activations ({k.get('per_hour', 0)}/h), "
            f"peak {k.get('peak_per_10min', 0)} in 10 min, {k.get('floods', 0)} floods, "
            f"{k.get('standing_now', 0)} active now; chattering: {chatter}.",
        )
    ]


def _command(res: dict[str, Any], lang: Language) -> list[str]:
    out = res.get("outcome") or {}
    if out.get("outcome") == "pending":
        s = out["summary"]
        title = s["title_pt" if lang is L.PT else "title_en"]
        return [
            say(
                lang,
                f"Pedido {out['command_id']}: {title} ({s['tag']} := {number(s['value'])}). "
                f"Pré-condições atendidas. Aguardando aprovação de um operador até {s['expires_at']}.",
                f"Request {out['command_id']}: {title} ({s['tag']} := {number(s['value'])}). "
                f"Preconditions met. Waiting for an operator's approval until {s['expires_at']}.",
            ),
            say(lang, "Risco: ", "Risk: ") + s["risk_pt" if lang is L.PT else "risk_en"],
        ]
    lines = [
        say(
            lang,
            f"Comando {out.get('command', '')} recusado: ",
            f"Command {out.get('command', '')} refused: ",
        )
        + reason(out.get("reason", ""), lang)
        + ". "
        + say(lang, "Nada foi escrito.", "Nothing was written.")
    ]
    for p in (out.get("details") or {}).get("preconditions", []):
        if not p["passed"]:
            lines.append(f"- {p['condition']}: {number(p['value'], p.get('unit', ''), lang)}")
    return lines


WRITERS: dict[ToolName, Callable[[dict[str, Any], Language], list[str]]] = {
    ToolName.READ_TAG: _read,
    ToolName.QUERY_HISTORY: _history,
    ToolName.LIST_ACTIVE_ALARMS: _alarms,
    ToolName.EXPLAIN_ALARM: _explain,
    ToolName.CHECK_SEQUENCE_PRECONDITIONS: _check,
    ToolName.SEARCH_KNOWLEDGE: _knowledge,
    ToolName.ALARM_KPIS: _kpis,
    ToolName.REQUEST_COMMAND: _command,
    ToolName.ENERGY_PER_CYCLE: energy_lines,
    ToolName.POWER_BY_EQUIPMENT: power_lines,
    ToolName.WHAT_IF: what_if_lines,
    ToolName.SEARCH_TAGS: lambda res, lang: [
        f"- {m['tag']} ({m['unit'] or '—'}): {m['description_pt' if lang is L.PT else 'description_en']}"
        for m in res.get("matches", [])
    ],
}


def write_answer(results: list[tuple[str, dict[str, Any]]], lang: Language) -> str:
    """Join the sentences of every tool result of this turn, in the user's language."""
    lines: list[str] = []
    for name, res in results:
        if res.get("error") and not res.get("outcome"):
            lines.append(say(lang, "Não foi possível: ", "Could not: ") + res["error"])
            continue
        lines += WRITERS[ToolName(name)](res, lang)
    if not lines:
        return say(
            lang,
            "Não encontrei dados para responder. Cite o equipamento, a tag ou o alarme.",
            "I found no data to answer. Name the equipment, tag or alarm.",
        )
    return "\n".join(lines)
