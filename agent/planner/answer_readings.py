"""Readings said plainly: the value in a sentence, and a suspect one flagged in that very sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.planner.phrases import clock_time, date_time, number, quality, say, utc_time
from lockpilot.language import Language
from lockpilot.text import fold, words

MAX_LIMITS_SAID = 3
MAX_READINGS_WITH_LIMITS = 2  # beyond that, limits crowd the readings out
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


def _alarms_phrase(ids: list[str], v: Voice) -> str:
    return v.say(
        f"o alarme {ids[0]} está ativo"
        if len(ids) == 1
        else f"os alarmes {', '.join(ids[:-1])} e {ids[-1]} estão ativos",
        f"alarm {ids[0]} is active"
        if len(ids) == 1
        else f"alarms {', '.join(ids[:-1])} and {ids[-1]} are active",
    )


def reading_sentence(r: dict[str, Any], v: Voice) -> str:
    """One reading as a sentence: current values plainly; suspect, stale, bad or missing ones said so."""
    name, unit, fresh = label(r["description"]), r.get("unit", ""), r["freshness"]
    value = v.number(r.get("value"), unit)
    ids = list(r.get("suspect_by") or [])
    why = v.say(f" ({_alarms_phrase(ids, v)})", f" ({_alarms_phrase(ids, v)})") if ids else ""
    if fresh == "missing":
        return v.say(
            f"Não há leitura de {name} ({r['tag']}){why}.",
            f"There is no reading of {name} ({r['tag']}){why}.",
        )
    if fresh == "stale":
        return v.say(
            f"Sem valor atual de {name}: o último, {value} às {v.time(r['time'])}, tem {r['age_s']:.0f} s "
            f"e está desatualizado{why}.",
            f"No current value of {name}: the last one, {value} at {v.time(r['time'])}, is {r['age_s']:.0f} "
            f"s old (stale){why}.",
        )
    if fresh == "bad":
        q = quality(r["quality"], v.language)
        return v.say(
            f"A leitura de {name} não é confiável (qualidade {q}){why}; o último valor foi {value} — não use "
            "como atual.",
            f"The reading of {name} is not trusted (quality {q}){why}; the last value was {value} — do not "
            "use it as current.",
        )
    state = f" ({r['state']})" if r.get("state") else ""  # "Bomba principal em operação: não (parada)."
    if isinstance(r.get("value"), bool) and not ids:
        return f"{_sentence_start(name)}: {value}{state}."
    if ids:
        other = r.get("redundant") or {}
        beside = ""
        if other.get("freshness") == "current":
            beside = v.say(
                f" O transmissor redundante ({other['tag']}) marca {v.number(other.get('value'), unit)}.",
                f" The redundant transmitter ({other['tag']}) reads {v.number(other.get('value'), unit)}.",
            )
        where = v.say(" neste transmissor", " on this transmitter") if r.get("redundant") else ""
        return (
            v.say(
                f"{_sentence_start(name)} marca {value}, mas a leitura é suspeita: {_alarms_phrase(ids, v)}"
                f"{where}.",
                f"{_sentence_start(name)} reads {value}, but the reading is suspect: {_alarms_phrase(ids, v)}"
                f"{where}.",
            )
            + beside
        )
    return f"{_sentence_start(name)}: {value}{state}."


def reading_detail(r: dict[str, Any], v: Voice) -> str:
    """The supporting detail of a reading: tag, value, local and UTC time, quality."""
    if r.get("time") is None:
        return f"{r['tag']}: —"
    q = quality(r.get("quality"), v.language)
    return (
        f"{r['tag']} = {v.number(r.get('value'), r.get('unit', ''))} "
        f"({v.time(r['time'])}, {utc_time(r['time'])}, {v.say('qualidade', 'quality')} {q})"
    )


def side_of(limit: dict[str, Any], v: Voice) -> str:
    """Which side of a rule's limit raises it: "acima de" / "abaixo de"."""
    return v.say("acima de", "above") if limit["side"] == "above" else v.say("abaixo de", "below")


def limits_sentence(limits: list[dict[str, Any]], unit: str, v: Voice) -> str | None:
    """Where the fault rules draw their lines on a measurement, and which the value is past (none past:
    said to be within them)."""
    if not limits:
        return None
    within = not any(lim.get("crossed") or lim.get("active") for lim in limits)
    parts = []
    for lim in limits[:MAX_LIMITS_SAID]:
        side = side_of(lim, v)
        state = [
            *([v.say("ultrapassado", "exceeded")] if lim.get("crossed") else []),
            *([v.say("alarme ativo", "alarm active")] if lim.get("active") else []),
        ]
        note = f" ({', '.join(state)})" if state else ""
        parts.append(f"{side} {v.number(lim['value'], unit)}, «{lim['name']}»{note}")
    if within:
        return v.say(
            "Dentro dos limites: as regras de falha alarmam ", "Within limits: the fault rules alarm "
        ) + ("; ".join(parts) + ".")
    return v.say("Limites das regras de falha: ", "Fault rule limits: ") + "; ".join(parts) + "."


def readings_answer(
    readings: list[dict[str, Any]], v: Voice, *, assess: bool = False
) -> tuple[list[str], list[str]]:
    """The sentences of several readings, and their details; the fault rules' limits on a current reading
    past one, and with one or two readings, near one or whenever `assess` (is it normal, high?)."""
    lines = []
    for r in readings:
        lines.append(reading_sentence(r, v))
        limits = r.get("limits") or []
        few = len(readings) <= MAX_READINGS_WITH_LIMITS
        worth_saying = any(lim.get("crossed") for lim in limits) or (
            few and (assess or any(lim.get("near") or lim.get("active") for lim in limits))
        )
        if r.get("freshness") == "current" and worth_saying:
            shown = limits if few else [lim for lim in limits if lim.get("crossed")]  # many: only those past
            said = limits_sentence(shown, r.get("unit", ""), v)
            lines += [said] if said else []
        if assess and few and r.get("nominal") and r.get("freshness") == "current":
            lines.append(_of_nominal(r, v))  # "está normal?" of a motor current: against its rated value
        elif assess and few and not limits and not r.get("nominal"):  # nothing to judge it against: say so
            lines.append(
                v.say(
                    "Nenhuma regra de falha nem valor nominal limita esta medição; a faixa normal, se "
                    "houver, está nos documentos da eclusa.",
                    "No fault rule nor rated value limits this measurement; its normal band, if any, is in "
                    "the lock's documents.",
                )
            )
    return lines, [reading_detail(r, v) for r in readings]


def _of_nominal(r: dict[str, Any], v: Voice) -> str:
    """ "A nominal é 22 A; agora 96 % dela." """
    nominal, unit = float(r["nominal"]), r.get("unit", "")
    share = float(r["value"]) / nominal * 100 if isinstance(r.get("value"), int | float) else None
    now = v.say(f"; agora {share:.0f} % dela", f"; now {share:.0f} % of it") if share is not None else ""
    return v.say(
        f"A nominal é {v.number(nominal, unit)}{now}.", f"The rated value is {v.number(nominal, unit)}{now}."
    )


def limits_answer(readings: list[dict[str, Any]], v: Voice) -> list[str]:
    """Where the fault rules draw their lines on each measurement asked about, and where it stands now
    (a reading that is not current is said as the reading sentence says it)."""
    lines = []
    for r in readings:
        limits, unit = r.get("limits") or [], r.get("unit", "")
        if not limits:
            continue
        parts = [f"{side_of(lim, v)} {v.number(lim['value'], unit)}, «{lim['name']}»" for lim in limits]
        name = label(r["description"])
        now = (
            v.say(f"agora {v.number(r.get('value'), unit)}", f"now {v.number(r.get('value'), unit)}")
            if r.get("freshness") == "current" and not r.get("suspect_by")
            else reading_sentence(r, v).rstrip(".")
        )
        lines.append(
            v.say(f"Para {name}, as regras de falha alarmam ", f"For {name}, the fault rules alarm ")
            + "; ".join(parts[:MAX_LIMITS_SAID])
            + f" ({now})."
        )
    return lines


def comparison_sentence(readings: list[dict[str, Any]], v: Voice) -> str | None:
    """Like readings set against each other: the lowest and the highest, and how far apart they are
    ("Posição da folha direita … está atrás: 0 % contra 33,11 % …"); None unless at
    least two are current and trusted."""
    usable = [
        r
        for r in readings
        if r.get("freshness") == "current"
        and not r.get("suspect_by")
        and isinstance(r.get("value"), int | float)
    ]
    if len(usable) < 2:
        return None
    low = min(usable, key=lambda r: r["value"])
    high = max(usable, key=lambda r: r["value"])
    unit = low.get("unit", "")
    gap = float(high["value"]) - float(low["value"])
    if gap == 0:
        return v.say(
            f"Estão iguais: {v.number(low['value'], unit)}.",
            f"They are level: {v.number(low['value'], unit)}.",
        )
    return v.say(
        f"{_sentence_start(label(low['description']))} está atrás: {v.number(low['value'], unit)} contra "
        f"{v.number(high['value'], unit)} de {label(high['description'])}, uma diferença de "
        f"{v.number(gap, unit)}.",
        f"{_sentence_start(label(low['description']))} is behind: {v.number(low['value'], unit)} against "
        f"{v.number(high['value'], unit)} for {label(high['description'])}, {v.number(gap, unit)} apart.",
    )


# A state asked ("tá fechada?", "is the pump running?") and the words of the bit that reads it.
_STATE_ASKED: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset({"fechada", "fechado", "fechadas", "fechados", "closed", "shut"}),
        frozenset({"fechada", "closed"}),
    ),
    (frozenset({"aberta", "aberto", "abertas", "abertos", "open", "opened"}), frozenset({"aberta", "open"})),
    (
        frozenset({"ligada", "ligado", "funcionando", "operando", "running", "rodando"}),
        frozenset({"operacao", "running", "ligado", "ligada"}),
    ),
)


def state_first(readings: list[dict[str, Any]], asked_words: list[str], v: Voice) -> str | None:
    """The state asked of equipment, from the current bit that reads it ("Comporta de jusante fechada e
    mitrada: sim."), before anything else about it."""
    asked = set(asked_words)
    for said, described in _STATE_ASKED:
        if not asked & said:
            continue
        for r in readings:
            name = set(words(fold(r["description"])))
            if isinstance(r.get("value"), bool) and r.get("freshness") == "current" and name & described:
                return reading_sentence(r, v)
    return None
