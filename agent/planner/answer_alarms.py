"""Answers about alarms: what is active, why one fired, what to do, when it last fired."""

from __future__ import annotations

from typing import Any

from agent.planner.answer_readings import Voice, label, reading_detail, side_of
from lockpilot.formatting import state_name
from rules.lifecycle import AlarmState

PRIORITY = {
    "critical": ("crítica", "critical"),
    "high": ("alta", "high"),
    "medium": ("média", "medium"),
    "low": ("baixa", "low"),
    "advisory": ("aviso", "advisory"),
}


def _pair(table: dict[str, tuple[str, str]], key: str, v: Voice) -> str:
    pt, en = table.get(key, (key, key))
    return v.say(pt, en)


def alarm_name(a: dict[str, Any], v: Voice) -> str:
    return str(a["name"][v.language.value])


_OUT_OF_SERVICE = {"shelved", "suppressed_by_design"}  # not for the operator's attention (ISA-18.2)


def _alarm_phrase(a: dict[str, Any], v: Voice, *, with_id: bool = False) -> str:
    since = v.say(f", desde {v.time(a['since'])}", f", since {v.time(a['since'])}") if a.get("since") else ""
    state = state_name(a["state"], language=v.language)
    own = f"{a['id']}; " if with_id else ""
    return f"«{alarm_name(a, v)}» ({own}{_pair(PRIORITY, a['priority'], v)}, {state}{since})"


def active_alarms(
    res: dict[str, Any], v: Voice, *, first_out_asked: bool = False
) -> tuple[list[str], list[str]]:
    """How many, the most urgent with the first-out, then the list; the first-out first when asked."""
    alarms = res.get("alarms", [])
    first_out = next((a for a in alarms if a.get("first_out")), None)
    if first_out_asked:
        return _first_out_answer(first_out, res, v)
    if not alarms:
        return [v.say("Nenhum alarme ativo agora.", "No active alarms right now.")], []
    head = alarms[0]
    count = v.say(
        f"Há {len(alarms)} alarme{'s' if len(alarms) > 1 else ''} ativo{'s' if len(alarms) > 1 else ''}",
        f"There {'are' if len(alarms) > 1 else 'is'} {len(alarms)} active "
        f"alarm{'s' if len(alarms) > 1 else ''}",
    )
    lines = [f"{count}; " + v.say("o mais urgente é ", "the most urgent is ") + _alarm_phrase(head, v) + "."]
    measured = [r for r in res.get("measured", {}).get(head["id"], []) if r.get("freshness") == "current"]
    if measured:
        now = "; ".join(_against_rule(r, head["rule_id"], v) for r in measured)
        lines.append(v.say("Agora: ", "Now: ") + now + ".")
    if first_out is not None and first_out["id"] == head["id"]:
        lines.append(v.say("Foi o primeiro a disparar (first-out).", "It fired first (first-out)."))
    elif first_out is not None:
        lines.append(
            v.say("O primeiro a disparar (first-out) foi ", "The first to fire (first-out) was ")
            + f"«{alarm_name(first_out, v)}» ({first_out['id']})."
        )
    details = [f"{a['id']}: {_alarm_phrase(a, v)}" for a in alarms]
    return lines, details


def _first_out_answer(
    first_out: dict[str, Any] | None, res: dict[str, Any], v: Voice
) -> tuple[list[str], list[str]]:
    """Which alarm fired first, since when, and what else is active."""
    alarms = res.get("alarms", [])
    if first_out is None:
        said = (
            v.say(
                "Nenhum alarme ativo agora, então não há first-out.",
                "No active alarms right now, so there is no first-out.",
            )
            if not alarms
            else v.say(
                "Nenhum dos alarmes ativos está marcado como first-out; ",
                "None of the active alarms is marked first-out; ",
            )
            + v.say("o mais urgente é ", "the most urgent is ")
            + _alarm_phrase(alarms[0], v)
            + "."
        )
        return [said], [f"{a['id']}: {_alarm_phrase(a, v)}" for a in alarms]
    lines = [
        v.say("O primeiro a disparar (first-out) foi ", "The first to fire (first-out) was ")
        + _alarm_phrase(first_out, v, with_id=True)
        + "."
    ]
    others = [a for a in alarms if a["id"] != first_out["id"]]
    if others:
        lines.append(
            v.say("Depois dele: ", "After it: ")
            + "; ".join(f"«{alarm_name(a, v)}» ({a['id']})" for a in others[:MAX_OTHERS_SAID])
            + "."
        )
    return lines, [f"{a['id']}: {_alarm_phrase(a, v)}" for a in alarms]


MAX_OTHERS_SAID = 3


def _rule_limit(reading: dict[str, Any], rule_id: str) -> dict[str, Any] | None:
    """This rule's limit on the reading: of a rule bounding both ways (a rate up or down), the nearer."""
    mine = [lim for lim in reading.get("limits") or [] if lim["rule"] == rule_id]
    value = reading.get("value")
    if len(mine) > 1 and isinstance(value, int | float) and not isinstance(value, bool):
        return min(mine, key=lambda lim: abs(float(value) - lim["value"]))
    return mine[0] if mine else None


def _next_limit(reading: dict[str, Any], lim: dict[str, Any], v: Voice) -> str:
    """The next line past this one on the same side, not crossed yet ("next: above 75 °C, very high")."""
    beyond = [
        x
        for x in reading.get("limits") or []
        if x["side"] == lim["side"]
        and not x.get("crossed")
        and (x["value"] > lim["value"] if lim["side"] == "above" else x["value"] < lim["value"])
    ]
    if not beyond:
        return ""
    nxt = min(beyond, key=lambda x: abs(x["value"] - lim["value"]))
    side = side_of(nxt, v)
    number = v.number(nxt["value"], reading.get("unit", ""))
    return v.say(
        f"; o próximo: {side} {number}, «{nxt['name']}»", f"; the next: {side} {number}, «{nxt['name']}»"
    )


def _against_rule(reading: dict[str, Any], rule_id: str, v: Voice) -> str:
    """ "temperatura do óleo 67,4 °C (limite: acima de 65 °C)": a reading beside this rule's limit on it."""
    unit = reading.get("unit", "")
    said = f"{label(reading['description'])} {v.number(reading['value'], unit)}"
    lim = _rule_limit(reading, rule_id)
    if lim is None:
        return said
    side = side_of(lim, v)
    beyond = _next_limit(reading, lim, v) if lim.get("crossed") else ""
    return said + v.say(" (limite: ", " (limit: ") + f"{side} {v.number(lim['value'], unit)}{beyond})"


def explain(res: dict[str, Any], v: Voice, *, what_to_do: bool = False) -> tuple[list[str], list[str]]:
    """An alarm's cause and consequence (or the action first, when asked what to do)."""
    rule, alarm = res["rule"], res.get("alarm")
    k = v.language.value
    name = f"«{rule['name'][k]}» ({rule['id']})"
    if alarm and alarm.get("state") == "returned_unacknowledged":
        state = v.say(
            f"já normalizou (a condição voltou ao normal; disparou às {v.time(alarm['since'])}) e falta "
            "reconhecer o alarme",
            f"has returned to normal (it fired at {v.time(alarm['since'])}) and still needs acknowledging",
        )
    elif alarm:
        state = v.say(
            f"está ativo desde {v.time(alarm['since'])}", f"is active since {v.time(alarm['since'])}"
        )
    else:
        state = v.say("não está ativo agora", "is not active now")
    cause, consequence, action = rule["cause"][k], rule["consequence"][k], rule["action"][k]
    if what_to_do and not alarm:  # nothing active: say so, then what to do should it fire
        lines = [
            v.say(
                f"{name} não está ativo agora. Se disparar: ", f"{name} is not active now. Should it fire: "
            )
            + action
        ]
        lines.append(v.say("Por quê: ", "Why: ") + cause + " " + consequence)
    elif what_to_do and alarm is not None:
        since = v.say(f" ativo desde {v.time(alarm['since'])}", f" active since {v.time(alarm['since'])}")
        lines = [v.say(f"Com {name}{since}: ", f"With {name}{since}: ") + action]
        lines.append(v.say("Por quê: ", "Why: ") + cause + " " + consequence)
        for offer in res.get("offers", [])[:1]:
            lines.append(
                v.say(
                    f"Se quiser, posso pedir «{offer['title']['pt']}» para um operador aprovar: é só pedir.",
                    f"If you want, I can request «{offer['title']['en']}» for an operator to approve: just "
                    "ask.",
                )
            )
    else:
        lines = [f"{name} {state}.", v.say("Causa: ", "Cause: ") + cause]
        lines.append(consequence + " " + v.say("O que fazer: ", "What to do: ") + action)
    for r in res.get("live_values", []):
        instrument = bool(rule.get("suspect_tags"))  # the alarm is itself about the instrument
        if r.get("suspect_by") and alarm and not instrument:  # it may stand on a false reading
            other = r.get("redundant") or {}
            beside = (
                v.say(
                    f" O transmissor redundante ({other['tag']}) marca "
                    f"{v.number(other.get('value'), other.get('unit', ''))}.",
                    f" The redundant transmitter ({other['tag']}) reads "
                    f"{v.number(other.get('value'), other.get('unit', ''))}.",
                )
                if other.get("value") is not None
                else ""
            )
            ids = ", ".join(r["suspect_by"])
            lines.insert(
                1,
                v.say(
                    f"Atenção: a leitura de {label(r['description'])} que dispara este alarme é suspeita "
                    f"({ids} ativo: transmissor com deriva, congelado ou divergente); confirme antes de "
                    "agir.",
                    f"Caution: the {label(r['description'])} reading that raises this alarm is suspect "
                    f"({ids} active: a drifting, frozen or disagreeing transmitter); confirm before acting.",
                )
                + beside,
            )
            break
    watched = [r for r in res.get("live_values", []) if r.get("time") is not None][:4]
    if not alarm and watched:  # not active: what it watches reads now, so the operator can judge
        lines.insert(
            1, v.say("Agora: ", "Now: ") + "; ".join(_against_rule(r, rule["id"], v) for r in watched) + "."
        )
    elif alarm and (limited := [r for r in watched if _rule_limit(r, rule["id"])]):
        lines.insert(
            1,
            v.say("Limite da regra, e o valor agora: ", "The rule's limit, and the value now: ")
            + "; ".join(_against_rule(r, rule["id"], v) for r in limited)
            + ".",
        )
    details = []
    first_out = res.get("first_out")
    if first_out and (not alarm or first_out["id"] != alarm["id"]):
        details.append(v.say("Primeiro alarme (first-out): ", "First-out alarm: ") + first_out["id"])
    if rule.get("plc_actions"):
        details.append(
            v.say("O CLP já faz sozinho: ", "The PLC does on its own: ")
            + "; ".join(a[k] for a in rule["plc_actions"])
        )
    live = res.get("live_values", [])
    details += [reading_detail(r, v) for r in live[:4]]
    return lines, details


def last_fired(res: dict[str, Any], v: Voice) -> tuple[list[str], list[str]]:
    """When an alarm last fired, and how often over the window looked at."""
    rule, times = res["rule"], res.get("activations", [])
    name = f"«{rule['name'][v.language.value]}» ({rule['id']})"
    days = round(res.get("activations_window_s", 0) / 86400)
    if not times:
        return [
            v.say(
                f"{name} não disparou nos últimos {days} dias.",
                f"{name} has not fired in the last {days} days.",
            )
        ], []
    lines = [
        v.say(
            f"{name} disparou pela última vez em {v.moment(times[0])}; {len(times)} vez(es) nos últimos "
            f"{days} dias.",
            f"{name} last fired on {v.moment(times[0])}; {len(times)} time(s) in the last {days} days.",
        )
    ]
    return lines, [str(t) for t in times[:5]]


def equipment_alarms(listing: dict[str, Any], equipment: str, v: Voice) -> list[str]:
    """The alarms active on one piece of equipment, said before its readings ("como tá a bomba?")."""
    mine = [a for a in listing.get("alarms", []) if a.get("equipment") == equipment]
    if not mine:
        return []
    phrases = ", ".join(_alarm_phrase(a, v) for a in mine[:3])
    return [
        v.say(
            f"Atenção: {'há alarmes ativos' if len(mine) > 1 else 'há um alarme ativo'} neste equipamento: "
            f"{phrases}.",
            f"Note: {'alarms are' if len(mine) > 1 else 'an alarm is'} active on this equipment: {phrases}.",
        )
    ]


def alarms_on_readings(
    alarms: list[dict[str, Any]],
    measured: dict[str, list[dict[str, Any]]],
    readings: list[dict[str, Any]],
    v: Voice,
    *,
    equipment: str | None,
) -> list[str]:
    """The active alarms a read came with (read_tag's `alarms`, at most three, and `alarm_readings`, what
    raised each beside the tags read) that are on the equipment asked about (any, with none asked about:
    readings compared across equipment); those the readings already
    name (a suspect transmitter, a limit's alarm marked active) are not said twice. "Calorão na sala da
    HPU": the oil overtemperature on that unit."""
    said = {a for r in readings for a in r.get("suspect_by") or []}
    said |= {lim["rule"] for r in readings for lim in r.get("limits") or [] if lim.get("active")}
    mine = [
        a
        for a in alarms
        if a["id"] not in said
        and a.get("rule_id") not in said
        and a.get("state") not in _OUT_OF_SERVICE
        and (equipment is None or a.get("equipment") == equipment)
    ]
    if not mine:
        return []
    parts = []
    for a in mine:
        beside = [m for m in measured.get(a["id"], []) if m.get("freshness") == "current"]
        now = "; ".join(_against_rule(m, a["rule_id"], v) for m in beside[:2])
        parts.append(_alarm_phrase(a, v) + (v.say(": agora ", ": now ") + now if now else ""))
    lead = v.say(
        "Atenção: alarme ativo aqui: " if len(mine) == 1 else "Atenção: alarmes ativos aqui: ",
        "Note: alarm active here: " if len(mine) == 1 else "Note: alarms active here: ",
    )
    return [lead + "; ".join(parts) + "."]


def fired_on_equipment(results: list[dict[str, Any]], v: Voice) -> tuple[list[str], list[str]]:
    """How often each of an equipment's alarms fired over the window ("quantas vezes a bomba desarmou?")."""
    days = round(results[0].get("activations_window_s", 0) / 86400)
    counted = [(r["rule"], r.get("activations", [])) for r in results]
    total = sum(len(times) for _, times in counted)
    k = v.language.value
    parts = [
        f"«{rule['name'][k]}» ({rule['id']}): {len(times)}"
        + (v.say(f", a última em {v.moment(times[0])}", f", last on {v.moment(times[0])}") if times else "")
        for rule, times in counted
    ]
    lead = v.say(
        f"Nos últimos {days} dias, {total} disparo{'s' if total != 1 else ''} dos alarmes deste equipamento",
        f"In the last {days} days, {total} activation{'s' if total != 1 else ''} of this equipment's alarms",
    )
    return [f"{lead}: " + "; ".join(parts) + "."], []


def plc_actions(res: dict[str, Any], v: Voice) -> str:
    """What the PLC does on its own for this alarm, as a sentence ("Quais ações automáticas o CLP fez?")."""
    rule = res.get("rule") or {}
    actions = [a[v.language.value] for a in rule.get("plc_actions", [])]
    if not actions:
        names = rule.get("name", {})
        return v.say(
            f"Para «{names.get('pt', '')}» o CLP não faz nada sozinho: é um alarme do copiloto.",
            f"For «{names.get('en', '')}» the PLC does nothing on its own: it is a copilot alarm.",
        )
    k = v.language.value
    return v.say(
        f"Para «{rule['name'][k]}» o CLP faz sozinho: {'; '.join(actions)}.",
        f"For «{rule['name'][k]}» the PLC does on its own: {'; '.join(actions)}.",
    )


def restart_verdict(held: list[dict[str, Any]], v: Voice) -> str:
    """Whether what tripped may start again: an alarm still standing says not yet, one that returned to
    normal asks for its acknowledgement first, none says nothing in the alarms stands in the way."""
    standing = [a for a in held if a.get("state") != AlarmState.RETURNED_UNACKNOWLEDGED]
    returned = [a for a in held if a.get("state") == AlarmState.RETURNED_UNACKNOWLEDGED]
    if standing:
        names = ", ".join(f"«{alarm_name(a, v)}» ({a['id']})" for a in standing)
        many = len(standing) > 1
        return v.say(
            f"Ainda não: {names} continua{'m' if many else ''} ativo{'s' if many else ''}.",
            f"Not yet: {names} {'are' if many else 'is'} still active.",
        )
    if returned:
        names = ", ".join(f"«{alarm_name(a, v)}» ({a['id']})" for a in returned)
        return v.say(
            f"Só depois de reconhecer: a condição de {names} já voltou ao normal, mas o alarme ainda não foi "
            "reconhecido.",
            f"Only after acknowledging: {names} has returned to normal but is not acknowledged yet.",
        )
    return v.say(
        "Nenhum alarme ativo ou por reconhecer impede a partida.",
        "No active or unacknowledged alarm stands in the way of a restart.",
    )


def restart_cause(res: dict[str, Any], v: Voice) -> list[str]:
    """The trip's cause and what to check before starting again (its rule's own words)."""
    rule = res["rule"]
    k = v.language.value
    return [
        v.say("Antes, entenda e elimine a causa: ", "First find and remove the cause: ")
        + rule["cause"][k].rstrip(".")
        + ". "
        + rule["action"][k]
    ]


def cleared_verdict(res: dict[str, Any], v: Voice) -> str:
    """Whether the alarm asked about has gone: still active, returned to normal (to acknowledge), or not
    active at all."""
    rule, alarm = res["rule"], res.get("alarm")
    name = f"«{rule['name'][v.language.value]}» ({rule['id']})"
    if alarm is None:
        return v.say(f"Sim: {name} não está ativo agora.", f"Yes: {name} is not active now.")
    if alarm.get("state") == AlarmState.RETURNED_UNACKNOWLEDGED:
        return v.say(
            f"Sim: a condição de {name} voltou ao normal; falta reconhecer o alarme.",
            f"Yes: {name} has returned to normal; it still needs acknowledging.",
        )
    return v.say(
        f"Não: {name} continua ativo desde {v.time(alarm['since'])}.",
        f"No: {name} is still active, since {v.time(alarm['since'])}.",
    )
