"""Write the offline planner's answer from tool results only: the answer first, in one or two plain sentences
in the user's language, then the supporting values (unit, time, quality) under "Detalhes"."""

from __future__ import annotations

import re
from typing import Any

from agent.planner import answer_alarms as alarms
from agent.planner import answer_ops as ops
from agent.planner.answer_readings import (
    Voice,
    comparison_sentence,
    limits_answer,
    reading_detail,
    reading_sentence,
    readings_answer,
    state_first,
)
from agent.planner.cues import asks_assessment, asks_first_out, asks_plc_actions, asks_procedure
from agent.planner.errors import said_error
from agent.planner.lexical import detect_language, prose_words
from agent.planner.metering_answers import energy_lines, power_lines
from agent.planner.passage import answer_from
from agent.planner.question import Intent, Question
from agent.planner.semantic import SentenceModel
from agent.planner.steps import holding_alarms
from agent.planner.units import Conversion, conversions_asked
from agent.planner.vessels import passage_sentence
from agent.planner.whatif_answer import what_if_lines
from lockpilot.language import Language
from lockpilot.text import fold, words
from rules.alarms import DQ_PREFIX
from tools.registry import ToolName

MAX_DETAILS = 6
THANKS = frozenset(words("obrigado obrigada obrigadao valeu brigado brigada agradeco thanks thank thx vlw"))
Results = list[tuple[str, dict[str, Any]]]


def _first(results: Results, tool: ToolName) -> dict[str, Any] | None:
    return next((res for name, res in results if name == tool.value and not res.get("error")), None)


def small_talk(q: Question, v: Voice) -> str:
    """Greetings, thanks, what the copilot can do, what it cannot, and the question back."""
    can = v.say(
        "Posso ler valores do CLP e dos medidores, dizer o que a eclusa está fazendo, explicar alarmes, "
        "verificar "
        "se uma manobra pode começar, mostrar históricos e pedir comandos para um operador aprovar.",
        "I can read PLC and meter values, say what the lock is doing, explain alarms, check whether an "
        "operation "
        "may start, show history and request commands for an operator to approve.",
    )
    if q.intent is Intent.GREETING:
        if THANKS.intersection(words(q.text)):
            return v.say("De nada! Se precisar, é só perguntar.", "You're welcome! Ask any time.")
        return v.say("Olá! Em que posso ajudar na eclusa?", "Hello! How can I help with the lock?")
    if q.intent is Intent.CAPABILITIES:
        return can
    if q.intent is Intent.OUT_OF_DOMAIN:
        return (
            v.say(
                "Isso está fora do que eu sei: sou o copiloto da eclusa. ",
                "That is outside what I know: I am the lock's copilot. ",
            )
            + can
        )
    return q.clarify


def _similarities(question: str, sentences: list[str]) -> list[float]:
    vectors = SentenceModel.embed([question, *sentences])
    return [float(x) for x in vectors[1:] @ vectors[0]]


# The heading of a passage that says what to do ("O que o operador faz", "Procedimento", "What to do").
_ACTIONS_HEADING = re.compile(
    r"\b(o que (?:o operador )?fa(?:z|zer)|procediment\w*|what to do|operator actions|como proceder|passos)\b"
)


def _knowledge(
    res: dict[str, Any], v: Voice, *, question: str = "", doing: bool = False
) -> tuple[list[str], list[str]]:
    """The best passage: the part of it that answers the question (its first sentences without one); for a
    what-to-do (`doing`), a passage among the first three that says what to do, if one does."""
    hits = res.get("hits", [])
    if not hits:
        return [
            v.say(
                "Não encontrei nada sobre isso nos documentos da eclusa.",
                "I found nothing about that in the lock's documents.",
            )
        ], []
    hit = (
        next((h for h in hits[:3] if _ACTIONS_HEADING.search(fold(h["heading"]))), hits[0])
        if doing
        else hits[0]
    )
    if question:
        short = answer_from(hit["text"], question, v.language, similar=_similarities)
    else:
        sentences = " ".join(hit["text"].split()).split(". ")
        short = ". ".join(sentences[:2]).rstrip(".") + "."
    if v.language is Language.EN and detect_language(prose_words(short)) is Language.PT:
        short = f"The lock's documents say (in Portuguese): {short}"  # the site's documents are in Portuguese
    return [short], [f"{v.say('Fonte', 'Source')}: {hit['heading']} [{hit['id']}]"]


def converted(readings: list[dict[str, Any]], conversions: list[Conversion], v: Voice) -> list[str]:
    """Each current reading in a unit asked that the plant does not measure in ("≈ 88,5 psi")."""
    out = []
    for r in readings:
        for c in conversions:
            if r.get("unit") == c.from_unit and isinstance(r.get("value"), int | float):
                value = v.number(round(c.of(float(r["value"])), 1), c.unit)
                out.append(v.say(f"Em {c.unit}: cerca de {value}.", f"In {c.unit}: about {value}."))
    return out


def _by_intent(q: Question, results: Results, v: Voice) -> tuple[list[str], list[str]]:
    get = lambda tool: _first(results, tool)  # noqa: E731
    if q.intent in (Intent.STATUS,) and (res := get(ToolName.PLANT_STATUS)):
        return ops.status(res, v, step_wait=q.step_wait)
    if q.intent is Intent.TIME_TO and (res := get(ToolName.PLANT_STATUS)):
        return ops.time_to(res, q, v, checked=get(ToolName.CHECK_SEQUENCE_PRECONDITIONS))
    if q.intent is Intent.WHY_NOT and (res := get(ToolName.CHECK_SEQUENCE_PRECONDITIONS)):
        return _why_not(res, results, v)
    if q.intent is Intent.CHECK_SEQUENCE and (res := get(ToolName.CHECK_SEQUENCE_PRECONDITIONS)):
        return ops.check(res, v)
    if q.intent is Intent.ALARM_HISTORY and q.equipment_rules:
        explained = [r for n, r in results if n == ToolName.EXPLAIN_ALARM.value and r.get("rule")]
        if explained:
            return alarms.fired_on_equipment(explained, v)
    if q.intent is Intent.ALARM_HISTORY and (res := get(ToolName.EXPLAIN_ALARM)):
        return alarms.last_fired(res, v)
    if q.intent is Intent.ALARM_HISTORY and (res := get(ToolName.ALARM_KPIS)):
        listing = get(ToolName.LIST_ACTIVE_ALARMS)  # which fired in the window, then which are on now
        said, more = alarms.active_alarms(listing, v) if listing and listing.get("alarms") else ([], [])
        return [_fired(res, v), *said], [*more, *_kpis(res, v)]
    if q.intent in (Intent.EXPLAIN, Intent.WHAT_TO_DO):
        return _alarm_driven(q, results, v)
    if q.intent is Intent.HISTORY:
        return _histories(q, results, v)
    if res := get(ToolName.POWER_BY_EQUIPMENT):
        return power_lines(res, v, asked=q.equipment)
    read = get(ToolName.READ_TAG) if q.limit_tags and q.intent is Intent.KNOWLEDGE else None
    if read and (
        limits := limits_answer(read.get("readings", []), v)
    ):  # the rules' lines, then the documents
        found = get(ToolName.SEARCH_KNOWLEDGE)
        lines, details = _knowledge(found, v, question=q.text) if found and found.get("hits") else ([], [])
        down = [] if found else _errors(results, v)  # the documents down: said after the rules' lines
        return [*limits, *lines, *down], [*details, *(reading_detail(r, v) for r in read["readings"])]
    if q.intent is Intent.ACTIVE_ALARMS and (res := get(ToolName.LIST_ACTIVE_ALARMS)):
        lines, details = alarms.active_alarms(res, v, first_out_asked=asks_first_out(fold(q.text)))
        code = get(ToolName.READ_TAG) if q.first_out else None
        if code and code.get("readings"):  # "Código da primeira falha registrado pelo PLC: 3."
            lines += [reading_sentence(r, v) for r in code["readings"]]
            details += [reading_detail(r, v) for r in code["readings"]]
        return lines, details
    if q.intent in (Intent.KNOWLEDGE, Intent.PROCEDURE) and (res := get(ToolName.SEARCH_KNOWLEDGE)):
        return _knowledge(res, v, question=q.text, doing=asks_procedure(fold(q.text)))
    if q.intent is Intent.READ and (res := get(ToolName.READ_TAG)):
        readings = res.get("readings", [])
        passage = passage_sentence(readings, v) if q.passage else None
        if passage:  # "o rebocador já pode entrar?": yes or not yet, from its gate and signal
            status = get(ToolName.PLANT_STATUS)
            running = ops.running_now(status, v) if status and not passage.startswith(("Sim", "Yes")) else []
            return [passage, *running], [reading_detail(r, v) for r in readings]
        lines, details = readings_answer(readings, v, assess=asks_assessment(fold(q.text)))
        state = state_first(readings, words(fold(q.text)), v) if not q.named_tags else None
        if state:  # "a comporta de jusante tá fechada?": yes or no first, then its measurements
            measured = [reading_sentence(r, v) for r in readings if not isinstance(r.get("value"), bool)]
            lines = [state, *measured[:1]]
        compared = comparison_sentence(readings, v) if q.compare else None
        lines = (
            [compared] if compared else lines
        )  # which one lags, with both values (each one in the details)
        lines += converted(readings, conversions_asked(q.text), v)  # "em psi?": the value in that unit too
        against = ops.against_threshold(readings, q.threshold, v) if q.threshold is not None else []
        if against:  # "Sim: agora está em 13,5 m, acima de 10,5 m." says the reading; a suspect one is kept
            lines = [*against, *(lines if readings[0].get("suspect_by") else lines[1:])]
        listing = get(ToolName.LIST_ACTIVE_ALARMS)
        if listing is not None and q.alarms_too:  # "me passa os níveis e se tem algum alarme ativo"
            said, more = alarms.active_alarms(listing, v)
            return [*lines, *said], [*details, *more]
        if listing is not None and q.equipment and not q.named_tags:  # the equipment's alarms after its state
            lines = [*lines[:1], *alarms.equipment_alarms(listing, q.equipment, v), *lines[1:]]
        elif res.get("alarms") and (q.equipment or q.compare):  # the reading came with the alarms on it
            beside = res.get("alarm_readings", {})
            lines += alarms.alarms_on_readings(res["alarms"], beside, readings, v, equipment=q.equipment)
        return lines, details
    if q.intent is Intent.WHAT_IF and q.what_if is None and (res := get(ToolName.SEARCH_KNOWLEDGE)):
        lines, details = _knowledge(res, v)
        cannot = v.say(
            "Isso eu não consigo simular no gêmeo; o que os documentos da eclusa dizem:",
            "I cannot play that on the twin; what the lock's documents say:",
        )
        return [cannot, *lines], details
    if q.intent is Intent.COMMAND:
        res = get(ToolName.REQUEST_COMMAND) or next(
            (r for n, r in results if n == ToolName.REQUEST_COMMAND.value), None
        )
        if res is None:
            return [
                v.say(
                    "Não há na lista de comandos permitidos um comando para isso; nada foi pedido.",
                    "No command on the allow-list does that; nothing was requested.",
                )
            ], []
        return ops.command(res, q, v)
    lines, details = _generic(results, v)
    return [*_errors(results, v), *lines], details  # the tool it needed failed: what is down comes first


def _why_not(check: dict[str, Any], results: Results, v: Voice) -> tuple[list[str], list[str]]:
    """A fault of that equipment first (it is the likelier reason), then the failing interlocks; a remedy
    already running is said to be running, with its time left."""
    lines: list[str] = []
    details: list[str] = []
    explained = _first(results, ToolName.EXPLAIN_ALARM)
    if explained is not None and explained.get("alarm"):
        said, details = alarms.explain(explained, v)
        lines += said
    status = _first(results, ToolName.PLANT_STATUS)
    running = (status or {}).get("sequence") or {}
    remedies = check.get("remedies", [])
    pending = [r for r in remedies if r["sequence_id"] != running.get("sequence_id")]
    said, more = ops.check({**check, "remedies": pending}, v, why_not=True)
    lines += said
    if running and any(r["sequence_id"] == running.get("sequence_id") for r in remedies):
        lines.append(ops.running_remedy(running, v))
    return lines, details + more


def _restart(q: Question, results: Results, v: Voice) -> tuple[list[str], list[str]]:
    """ "posso rearmar a bomba já?": what still stands in the way, the trip's cause, the reset rule."""
    listing = _first(results, ToolName.LIST_ACTIVE_ALARMS) or {}
    explained = _first(results, ToolName.EXPLAIN_ALARM)
    held = holding_alarms(q, listing.get("alarms", []))
    lines = [alarms.restart_verdict(held, v)]
    details: list[str] = []
    if explained is not None and explained.get("rule"):
        lines += alarms.restart_cause(explained, v)
        first = next((a for a in held if a.get("first_out")), None)
        if first is not None and first["rule_id"] != explained["rule"]["id"]:  # the diagnosis starts there
            lines.append(
                v.say("O primeiro a disparar (first-out) foi ", "The first to fire (first-out) was ")
                + f"«{alarms.alarm_name(first, v)}» ({first['id']})."
            )
        details += [reading_detail(r, v) for r in explained.get("live_values", [])[:2]]
    found = _first(results, ToolName.SEARCH_KNOWLEDGE)
    if found and found.get("hits"):
        said, source = _knowledge(found, v, question=q.text)
        lines += [v.say("Nos documentos da eclusa: ", "The lock's documents: ") + said[0]]
        details += source
    return [*lines, *_errors(results, v)], details


def _alarm_driven(q: Question, results: Results, v: Voice) -> tuple[list[str], list[str]]:
    if q.restart:
        return _restart(q, results, v)
    explained = _first(results, ToolName.EXPLAIN_ALARM)
    listing = _first(results, ToolName.LIST_ACTIVE_ALARMS)
    if explained is not None:
        lines, details = alarms.explain(explained, v, what_to_do=q.intent is Intent.WHAT_TO_DO)
        if q.cleared and explained.get("rule"):  # "a comunicação voltou?": yes or no, then the alarm
            lines = [alarms.cleared_verdict(explained, v), *lines[1:]]
        if asks_plc_actions(fold(q.text)) and explained.get("rule"):
            lines = [alarms.plc_actions(explained, v), *lines]
        knowledge = _first(results, ToolName.SEARCH_KNOWLEDGE)
        if q.intent is Intent.WHAT_TO_DO and knowledge and knowledge.get("hits"):  # the plant's documents
            said, source = _knowledge(knowledge, v)
            heading = knowledge["hits"][0]["heading"]
            lines += [
                v.say(f"Nos documentos da eclusa ({heading}): ", f"The lock's documents ({heading}): ")
                + said[0]
            ]
            details += source
        return lines, details
    calm = v.say("Não há alarme ativo agora", "There is no active alarm now")
    readings = _first(results, ToolName.READ_TAG)
    if readings is not None:
        said, details = readings_answer(readings.get("readings", [])[:3], v)
        return [calm + v.say("; as leituras do equipamento:", "; the equipment reads:"), *said], details
    knowledge = _first(results, ToolName.SEARCH_KNOWLEDGE)
    if q.intent is Intent.WHAT_TO_DO and knowledge and knowledge.get("hits"):  # a situation no alarm covers
        said, source = _knowledge(knowledge, v, question=q.text, doing=True)
        return [*said, calm + v.say(" no CLP para isso.", " in the PLC for this.")], source
    if q.intent is Intent.WHAT_TO_DO:
        return [
            calm
            + v.say(
                ": nada a fazer além de acompanhar a operação.", ": nothing to do but follow the operation."
            )
        ], []
    if listing is not None and listing.get("alarms"):
        return alarms.active_alarms(listing, v)
    return [calm + "."], []


def _also_read(tags: list[str], results: Results, v: Voice, *, already: str) -> tuple[list[str], list[str]]:
    """The readings a message's other question asked ("e a pressão, tá em quanto?"), unless already said."""
    readings = {
        r["tag"]: r
        for name, res in results
        if name == ToolName.READ_TAG.value
        for r in res.get("readings", [])
        if r["tag"] in tags
    }
    fresh = [readings[t] for t in tags if t in readings and t not in already]
    sentences = [reading_sentence(r, v) for r in fresh]
    said = [sentence for sentence in sentences if sentence not in already]
    return said, [reading_detail(r, v) for r in fresh]


def _suspect_now(results: Results) -> dict[str, dict[str, Any]]:
    """The readings read beside a history that are not to be trusted now: suspect, stale, bad or missing."""
    read = _first(results, ToolName.READ_TAG) or {}
    return {
        r["tag"]: r
        for r in read.get("readings", [])
        if r.get("suspect_by") or r.get("freshness") in ("stale", "bad", "missing")
    }


def _histories(q: Question, results: Results, v: Voice) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    details: list[str] = []
    suspect = _suspect_now(results)
    for name, res in results:
        if name != ToolName.QUERY_HISTORY.value or res.get("error"):
            continue
        description = res.get("description" if v.language is Language.PT else "description_en") or res.get(
            "tag", ""
        )
        if q.threshold is not None and q.aggregate is not None and q.aggregate.value == "crossing":
            said, more = ops.crossing(res, q, v, description)
        else:
            said, more = ops.history(res, q, v, description)
        if (now := suspect.get(res.get("tag", ""))) is not None:  # the trend of a frozen transmitter
            said, more = [reading_sentence(now, v), *said], [*more, reading_detail(now, v)]
        lines += said
        details += more
    return lines, details


GENERIC = {
    ToolName.READ_TAG: lambda res, v: readings_answer(res.get("readings", []), v),
    ToolName.LIST_ACTIVE_ALARMS: alarms.active_alarms,
    ToolName.EXPLAIN_ALARM: alarms.explain,
    ToolName.CHECK_SEQUENCE_PRECONDITIONS: ops.check,
    ToolName.SEARCH_KNOWLEDGE: _knowledge,
    ToolName.PLANT_STATUS: ops.status,
    ToolName.ENERGY_PER_CYCLE: lambda res, v: (energy_lines(res, v.language), []),
    ToolName.WHAT_IF: lambda res, v: (what_if_lines(res, v.language), []),
    ToolName.SEARCH_TAGS: lambda res, v: (
        [v.say("Tags encontradas:", "Tags found:")]
        + [
            f"- {m['tag']} ({m['unit'] or '—'}): "
            f"{m['description_pt' if v.language.value == 'pt' else 'description_en']}"
            for m in res.get("matches", [])
        ],
        [],
    ),
    ToolName.ALARM_KPIS: lambda res, v: (_kpis(res, v), []),
}


def _fired(res: dict[str, Any], v: Voice) -> str:
    """The alarms raised over the window, most raised first ("teve algum alarme nas últimas horas?")."""
    k, hours = res.get("kpis", {}), res.get("window_s", 0) / 3600
    minutes = round(hours * 60)
    window = (
        v.say("na última hora", "in the last hour")
        if hours == 1
        else v.say(f"nos últimos {minutes} min", f"in the last {minutes} min")
        if hours < 1
        else v.say(f"nas últimas {hours:g} h", f"in the last {hours:g} h")
    )
    raised = [(a["alarm_id"], a["count"]) for a in k.get("top10_bad_actors", [])]
    fired = [(a, n) for a, n in raised if not a.startswith(DQ_PREFIX)]
    bad_data = len(raised) - len(fired)  # a link loss marks every reading: one data-quality note for all
    standing = k.get("standing_now", 0)
    now = v.say(f"; ativos agora: {standing}", f"; active now: {standing}") if standing else ""
    if not raised:
        return v.say(f"Nenhum alarme disparou {window}{now}.", f"No alarm was raised {window}{now}.")
    listed = ", ".join(
        [
            *(f"{a} ({n}×)" for a, n in fired),
            *(
                [v.say("qualidade de dados em várias leituras", "data quality on several readings")]
                if bad_data
                else []
            ),
        ]
    )
    count = int(k.get("activations", len(raised)))
    return (
        v.say(
            f"{count} alarme disparou {window}" if count == 1 else f"{count} alarmes dispararam {window}",
            f"{count} alarm was raised {window}" if count == 1 else f"{count} alarms were raised {window}",
        )
        + f": {listed}{now}."
    )


def _kpis(res: dict[str, Any], v: Voice) -> list[str]:
    k, hours = res.get("kpis", {}), res.get("window_s", 0) / 3600
    chatter = ", ".join(k.get("chattering", [])) or "—"
    return [
        v.say(
            f"Nas últimas {hours:g} h: {k.get('activations', 0)} alarmes disparados "
            f"({v.number(float(k.get('per_hour', 0)))}/h), "
            f"pico de {k.get('peak_per_10min', 0)} em 10 min, {k.get('floods', 0)} avalanches, "
            f"{k.get('standing_now', 0)} ativos agora; "
            f"alarmes repetitivos (chattering): {chatter}.",
            f"Last {hours:g} h: {k.get('activations', 0)} activations ({k.get('per_hour', 0)}/h), peak "
            f"{k.get('peak_per_10min', 0)} "
            f"in 10 min, {k.get('floods', 0)} floods, {k.get('standing_now', 0)} active now; chattering: "
            f"{chatter}.",
        )
    ]


def _generic(results: Results, v: Voice) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    details: list[str] = []
    for name, res in results:
        writer = GENERIC.get(ToolName(name))
        if writer is None or res.get("error"):
            continue
        said, more = writer(res, v)
        lines += said
        details += more
    return lines, details


def _errors(results: Results, v: Voice) -> list[str]:
    return [
        v.say("Não consegui: ", "I could not: ") + said_error(res["error"], v.language)
        for _, res in results
        if res.get("error") and not res.get("outcome")
    ]


def write_answer(
    results: Results, language: Language, *, question: Question | None = None, tz: str = "America/Sao_Paulo"
) -> str:
    """The answer to `question` from this turn's tool results (without a question: every result in turn)."""
    v = Voice(language, tz)
    if question is not None and not results:
        text = small_talk(question, v)
        if text:
            return text
    lines, details = _by_intent(question, results, v) if question is not None else _generic(results, v)
    if question is not None and question.also_read and lines:
        said, more = _also_read(question.also_read, results, v, already=" ".join(lines))
        lines, details = [*lines, *said], [*details, *more]
    if not lines:  # the tool the question needed failed: what is down first, then what did answer
        lines = [*_errors(results, v), *_generic(results, v)[0]]
    if not lines and question is not None:  # a history a model asked for, to a question read otherwise
        lines, details = _histories(question, results, v)
    if not lines:
        return v.say(
            "Não encontrei dados para isso. De qual equipamento, medição ou alarme você está falando?",
            "I found no data for that. Which equipment, measurement or alarm do you mean?",
        )
    out = " ".join(line for line in lines if line)
    details = [d for d in dict.fromkeys(details) if d][:MAX_DETAILS]
    if details:
        out += "\n\n" + v.say("Detalhes:", "Details:") + "\n" + "\n".join(f"- {d}" for d in details)
    return out
