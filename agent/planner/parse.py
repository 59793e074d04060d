"""Read an operator's question: language, intent, and entities (tags, equipment, rule, window...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from agent.planner import vocabulary as v
from agent.planner.cues import WhatIf, asks_procedure, asks_why, what_if
from agent.planner.rule_match import Mention, profiles_for, rank_rules
from agent.planner.symptoms import FAULT_CUES, Symptom, cue_in, symptoms_of
from lockpilot.language import Language
from lockpilot.plant.commands import Action, CommandBook
from lockpilot.text import STOPWORDS, any_phrase, contains_phrase, fold, words
from tools.ports import RuleView, SequenceInfo
from tools.tag_index import TagIndex
from tools.whatif.action import ActionError, parse_action

_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)")
_AMOUNT_WORDS = "|".join(sorted(v.NUMBER_WORDS, key=len, reverse=True))
_WINDOW = re.compile(
    rf"(?:ultim[oa]s?|last|past)\s+(?:(\d+(?:[.,]\d+)?)\s*|({_AMOUNT_WORDS})\s+)?"
    r"(s|seg\w*|sec\w*|min\w*|h|hrs?|horas?|hours?|dias?|days?|semanas?|weeks?)\b"
)


class Intent(StrEnum):
    COMMAND = "command"
    CHECK_SEQUENCE = "check_sequence"
    EXPLAIN = "explain"
    PROCEDURE = "procedure"
    ACTIVE_ALARMS = "active_alarms"
    ALARM_KPIS = "alarm_kpis"
    ENERGY_PER_CYCLE = "energy_per_cycle"
    POWER_BY_EQUIPMENT = "power_by_equipment"
    HISTORY = "history"
    SEARCH_TAGS = "search_tags"
    READ = "read"
    KNOWLEDGE = "knowledge"
    WHAT_IF = "what_if"


@dataclass
class Question:
    """What the planner understood."""

    text: str
    language: Language
    intent: Intent
    tags: list[str] = field(default_factory=list)
    equipment: str | None = None
    action: Action | None = None
    command: str | None = None
    value: float | None = None
    rule: str | None = None
    candidates: list[str] = field(default_factory=list)  # equally likely rules, best first
    symptoms: frozenset[Symptom] = frozenset()
    fault: bool = False  # says something went wrong
    named_tags: bool = False  # the tags were named, not taken from the equipment
    what_if: WhatIf | None = None
    sequence: str | None = None
    window_s: float | None = None


def detect_language(text_words: list[str]) -> Language:
    """Portuguese unless English markers clearly dominate (pt-BR first)."""
    pt = sum(w in v.PT_MARKERS for w in text_words)
    en = sum(w in v.EN_MARKERS for w in text_words)
    return Language.EN if en > pt else Language.PT


def find_equipment(text_words: list[str], book: CommandBook) -> str | None:
    """The equipment named in the text, preferring the longest (most specific) name."""
    content = [w for w in text_words if w not in STOPWORDS]
    best: tuple[int, str | None] = (0, None)
    for eq_id, names in book.equipment.items():
        for phrase in (names.pt, names.en, *names.aliases):
            phrase_words = [w for w in words(phrase) if w not in STOPWORDS]
            if len(phrase_words) > best[0] and contains_phrase(content, " ".join(phrase_words)):
                best = (len(phrase_words), eq_id)
    return best[1]


def find_window_s(folded: str) -> float | None:
    """A time window such as "na última hora", "últimos 10 min", "last 30 minutes"."""
    match = _WINDOW.search(folded)
    if match is None:
        return 86400.0 if re.search(r"\b(hoje|today)\b", folded) else None
    number, amount_word, unit = match.group(1), match.group(2), match.group(3)
    seconds = next((s for name, s in v.UNIT_SECONDS.items() if unit == name), None)
    if seconds is None:
        seconds = next(
            (s for name, s in v.UNIT_SECONDS.items() if unit.startswith(name) and len(name) > 1), 60
        )
    if number is not None:
        count = float(number.replace(",", "."))
    else:
        count = float(v.NUMBER_WORDS.get(amount_word or "", 1))
    return count * seconds


def command_action(text_words: list[str], folded: str) -> Action | None:
    """The action of an imperative request ("abra ...", "please open ..."), None for anything else."""
    rest = [w for w in text_words if w not in v.POLITE]
    for phrase, action in v.COMMAND_PHRASES.items():
        if folded.lstrip().startswith(phrase) or " ".join(rest[:2]) == phrase:
            return action
    return v.COMMAND_VERBS.get(rest[0]) if rest else None


def number_in(folded: str) -> float | None:
    """The last number of the text (a setpoint: "para 80 %")."""
    found = _NUMBER.findall(folded)
    return float(found[-1].replace(",", ".")) if found else None


def _check_sequence(
    text_words: list[str], folded: str, equipment: str | None, sequences: list[SequenceInfo]
) -> str | None:
    """The sequence a "may I ..." question is about."""
    for seq in sequences:
        if seq.id in folded.replace(" ", "_") or any_phrase(text_words, (seq.name.pt, seq.name.en)):
            return seq.id
    for word in text_words:
        action = v.CHECK_ACTIONS.get(word)
        if action is not None:
            return v.SEQUENCE_BY_ACTION.get((action, equipment)) or v.SEQUENCE_BY_ACTION.get((action, None))
    return None


def _intent(q: Question, text_words: list[str], folded: str, is_check: bool) -> Intent:
    """The first intent whose cue is present, most specific first."""
    if q.what_if is not None:
        return Intent.WHAT_IF
    if q.command is not None:
        return Intent.COMMAND
    if any_phrase(text_words, v.ENERGY) and any_phrase(text_words, v.CYCLES):
        return Intent.ENERGY_PER_CYCLE
    if any_phrase(text_words, v.POWER) and any_phrase(text_words, v.PER_EQUIPMENT):
        return Intent.POWER_BY_EQUIPMENT
    if any_phrase(text_words, v.KPIS):
        return Intent.ALARM_KPIS
    if any(p in folded for p in v.PROCEDURE) or asks_procedure(folded):
        return Intent.PROCEDURE
    if any(p in folded for p in v.WHY) or asks_why(folded):
        return Intent.EXPLAIN
    if is_check and q.sequence is not None:
        return Intent.CHECK_SEQUENCE
    if any(p in folded for p in v.TAG_SEARCH):
        return Intent.SEARCH_TAGS
    if q.tags and (q.window_s is not None or any_phrase(text_words, v.HISTORY)):
        return Intent.HISTORY
    if any_phrase(text_words, v.ALARMS) and (q.rule is None or any(w in v.LIST_CUES for w in text_words)):
        return Intent.ACTIVE_ALARMS
    if (q.symptoms or q.fault) and not (q.named_tags and _asks_value(folded)):
        return Intent.EXPLAIN
    if q.tags or q.equipment:
        return Intent.READ
    return Intent.EXPLAIN if q.rule else Intent.KNOWLEDGE


def _asks_value(folded: str) -> bool:
    """True when the question opens by asking for a value ("qual a pressão...", "what is the...")."""
    return folded.lstrip(" ?!¿").startswith(v.VALUE_OPENERS)


def _asks_state(text_words: list[str]) -> bool:
    """True when the question asks whether equipment is on/off/open/closed ("on" only at the end)."""
    for i, w in enumerate(text_words):
        if w in v.STATE_WORDS and (w not in v.TRAILING_STATE_WORDS or i + 1 == len(text_words)):
            return True
        if w in v.TRAILING_STATE_WORDS and text_words[i + 1] in v.TIME_WORDS:
            return True
    return False


def _rules_about(q: Question, text_words: list[str], rules: list[RuleView], tag_index: TagIndex) -> None:
    """Set the question's symptoms, whether it names a fault, and the rules it is about."""
    q.symptoms = symptoms_of(q.text)
    q.fault = bool(q.symptoms) or cue_in(FAULT_CUES, text_words)
    if not rules:
        return
    owners = {name: tag.equipment for name, tag in tag_index.plant.tags.items()}
    mention = Mention(text_words, q.symptoms, q.equipment, frozenset(q.tags if q.named_tags else ()))
    q.candidates = rank_rules(mention, profiles_for(rules, owners))
    q.rule = q.candidates[0] if q.candidates else None


def parse(
    text: str,
    *,
    book: CommandBook,
    tag_index: TagIndex,
    rules: list[RuleView] | None = None,
    sequences: list[SequenceInfo] | None = None,
) -> Question:
    """Understand one question or request."""
    folded = fold(text)
    text_words = words(text)
    q = Question(text=text, language=detect_language(text_words), intent=Intent.KNOWLEDGE)
    q.equipment = find_equipment(text_words, book)
    q.window_s = find_window_s(folded)
    q.what_if = _what_if(folded)
    action = command_action(text_words, folded) if q.what_if is None else None
    if action is not None and q.equipment is not None:
        spec = book.find(action, q.equipment)
        q.action = action
        q.command = spec.id if spec is not None else None
        q.value = number_in(folded) if action is Action.SET else None
    is_check = folded.lstrip(" ?!¿").startswith(v.QUESTION_OPENERS) or any(
        f" {o} " in f" {folded} " for o in v.QUESTION_OPENERS
    )
    q.sequence = _check_sequence(text_words, folded, q.equipment, sequences or []) if is_check else None
    found = tag_index.search(_tag_query(folded), limit=3, min_score=0.75)
    q.tags = [t.name for t, score in found if score >= found[0][1] - 0.001] if found else []
    q.named_tags = bool(q.tags)
    if q.equipment is not None and (not q.tags or _asks_state(text_words)):
        q.tags = list(book.equipment[q.equipment].status_tags)
        q.named_tags = False
    _rules_about(q, text_words, rules or [], tag_index)
    q.intent = _intent(q, text_words, folded, is_check)
    return q


def _what_if(folded: str) -> WhatIf | None:
    """A what-if question whose action the sandbox can take."""
    asked = what_if(folded)
    if asked is None:
        return None
    try:
        parse_action(asked.action)
    except ActionError:
        return None
    return asked


def _tag_query(folded: str) -> str:
    """The text without its time window and request words, so only the measurement is searched."""
    return " ".join(w for w in words(_WINDOW.sub(" ", folded)) if w not in v.NOT_TAG_WORDS)
