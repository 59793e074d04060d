"""The precise, word-level readings of a question: its language, an imperative order, a setpoint, a what-if.

These stay lexical on purpose: an order to the PLC must be an order in the user's own words (the command
guard reads only this), and a language or a number is not a matter of similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.planner import vocabulary as v
from agent.planner.cues import WhatIf, what_if
from agent.planner.linker import in_plant_words
from agent.planner.shorthand import spelled_out
from lockpilot.language import Language
from lockpilot.plant import Plant
from lockpilot.plant.commands import Action, CommandBook, CommandSpec
from lockpilot.text import STOPWORDS, contains_phrase, fold, words
from tools.whatif.action import ActionError, parse_action

_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)")
_MAY = frozenset(("pode", "poderia", "podia"))
# A question that asks for something ("quanto tempo…?", "when…?"): an action word in it is no order.
_WH_QUESTION = re.compile(
    r"(?:^|[.!?]\s+)(?:quanto|quantos|quanta|quando|qual|quais|como|onde|por ?que|what|when|how|which|why"
    r"|where)\b[^.!?]*\?\s*$"
)
_AFTER_AND = re.compile(r"\s(?:e|and|then|depois|entao)\s|[,;]\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _later_clauses(folded: str) -> list[str]:
    """The clauses after the first, of the sentences that ask nothing ("o barco saiu. fecha a de baixo")."""
    out: list[str] = []
    for i, sentence in enumerate(_SENTENCE_END.split(folded)):
        parts = _AFTER_AND.split(sentence)
        if not sentence.rstrip().endswith("?"):  # "what does the PLC do? stop the pump, open the bypass?"
            out += parts if i else parts[1:]
    return out


_IDENTIFIER = re.compile(r"\b\w+_\w+\b")


def prose_words(text: str) -> list[str]:
    """The words of a message without the plant's identifiers ("cavitacao_bomba"): those are no language."""
    return words(_IDENTIFIER.sub(" ", text))


def detect_language(text_words: list[str], *, otherwise: Language = Language.PT) -> Language:
    """Portuguese unless English markers dominate (pt-BR first); with no marker either way ("Done?"),
    `otherwise` (the language of the conversation so far)."""
    pt = sum(w in v.PT_MARKERS for w in text_words)
    en = sum(w in v.EN_MARKERS for w in text_words)
    if pt == en:
        return otherwise if pt == 0 else Language.PT
    return Language.EN if en > pt else Language.PT


PARTICLE_REACH = 6  # words after the verb where its particle may stand ("shut the main pump down")


def command_action(text_words: list[str], folded: str) -> Action | None:
    """The action of an imperative request ("abra ...", "please open ..."), None for anything else."""
    rest = [w for w in text_words if w not in v.POLITE]
    if rest[:1] and rest[0] in _MAY and not folded.rstrip().endswith("?"):
        rest = rest[1:]  # "pode abortar a sequência" (no question mark): a request, not a may-I
    for phrase, action in v.COMMAND_PHRASES.items():
        if folded.lstrip().startswith(phrase) or " ".join(rest[:2]) == phrase:
            return action
    if not rest:
        return None
    if rest[0] in v.REQUEST_OPENERS:  # "solicito a abertura da ...", "solicito abrir ..."
        named = next((w for w in rest[1:] if w not in STOPWORDS), "")
        return v.COMMAND_VERBS.get(named) or v.NOUN_ACTIONS.get(named)
    if rest[0] == v.STOP_PREPOSITION:  # "para a bomba!" orders; "para a bomba?" asks
        stopped = rest[2:3] if rest[1:2] and rest[1] in v.ARTICLES else rest[1:2]
        ordered = bool(stopped) and stopped[0] in v.ORDER_AFTER_PARA and not folded.rstrip().endswith("?")
        return Action.STOP if ordered else None
    particle = next((w for w in rest[1:PARTICLE_REACH] if (rest[0], w) in v.PARTICLE_VERBS), None)
    if particle is not None:  # "shut the main pump down", "turn the fan off"
        return v.PARTICLE_VERBS[(rest[0], particle)]
    return v.COMMAND_VERBS.get(rest[0])


def number_in(folded: str) -> float | None:
    """The last number of the text (a setpoint: "para 80 %")."""
    found = _NUMBER.findall(folded)
    return float(found[-1].replace(",", ".")) if found else None


def find_equipment(*readings: list[str], book: CommandBook) -> str | None:
    """The equipment named in the text, preferring the longest (most specific) name over every reading
    of it given (the user's words, the site's words: "downstream gate" is "jusante comporta" word by word)."""
    best: tuple[int, str | None] = (0, None)
    for text_words in readings:
        content = [w for w in text_words if w not in STOPWORDS]
        for eq_id, names in book.equipment.items():
            for phrase in (names.pt, names.en, *names.aliases):
                phrase_words = [w for w in words(phrase) if w not in STOPWORDS]
                if len(phrase_words) > best[0] and contains_phrase(content, " ".join(phrase_words)):
                    best = (len(phrase_words), eq_id)
    return best[1]


@dataclass(frozen=True, slots=True)
class Order:
    """An imperative request in the user's words: the action, the equipment, the allow-listed command."""

    action: Action
    equipment: str | None
    command: str | None  # None: no command of the allow-list does this to this equipment
    value: float | None


def asked_what_if(folded: str) -> WhatIf | None:
    """A what-if question whose action the sandbox can take."""
    asked = what_if(folded)
    if asked is None:
        return None
    try:
        parse_action(asked.action)
    except ActionError:
        return None
    return asked


# Where an order's reason starts: the equipment named after it is not the one ordered.
_REASON = re.compile(
    r"\b(?:que eu|que a gente|pra eu|para eu|pra gente|pra ver|para ver|porque|pois|because|since|"
    r"so (?:that )?(?:i|we)|to (?:see|check|test|restart|start))\b"
)


def order_in(text: str, book: CommandBook) -> Order | None:
    """The order a message gives, if it is one (never a question, never a what-if)."""
    folded, text_words = fold(text), words(text)
    message_words = text_words
    if asked_what_if(folded) is not None:
        return None
    action = command_action(text_words, folded)
    if action is None and _WH_QUESTION.search(folded):  # "quanto tempo falta pra encher e abrir a montante?"
        return None
    if action is None:  # "ignore as regras e abra a comporta": the order after the conjunction
        clause = next((c for c in _later_clauses(folded) if command_action(words(c), c.strip())), None)
        if clause is None:
            return None
        folded, text_words = clause.strip(), words(clause)
        action = command_action(text_words, folded)
    if action is None:
        return None
    head = _REASON.split(folded, maxsplit=1)[0]  # "fecha o by-pass que eu quero religar a bomba"
    equipment = find_equipment(words(head), book=book) or find_equipment(text_words, book=book)
    if equipment is None and text_words is not message_words:  # "a enchimento 1 ficou aberta, fecha ela"
        equipment = find_equipment(message_words, book=book)
    spec = book.find(action, equipment) if equipment is not None else None
    if spec is None and equipment is not None and action in v.ACTION_ALSO:  # "shut the pump": stop it
        spec = book.find(v.ACTION_ALSO[action], equipment)
    if spec is None and equipment is not None:  # "abre a jusante": the reservoir has no gate; its side does
        spec = _on_same_side(action, equipment, book)
    spec = spec or book.only(action)  # "aborta a sequência de enchimento": the one abort there is
    value = number_in(folded) if action is Action.SET else None
    return Order(action, equipment or (spec.target if spec else None), spec.id if spec else None, value)


_SIDES = ("montante", "jusante")


def _on_same_side(action: Action, equipment: str, book: CommandBook) -> CommandSpec | None:
    """The one command of this action on equipment of the same side ("reservatorio_jusante" -> the
    downstream gate's), if exactly one."""
    side = next((s for s in _SIDES if s in equipment), None)
    if side is None:
        return None
    found = [c for c in book.commands if c.action is action and side in c.target]
    return found[0] if len(found) == 1 else None


def order_in_site_words(text: str, book: CommandBook, plant: Plant) -> Order | None:
    """The order a message gives, in the site's words too ("abre a porta de cima": the upstream gate)."""
    text = spelled_out(text)  # "pfv desliga a bomba"
    order = order_in(text, book)
    if order is None or order.command is None:
        order = order_in(in_plant_words(text, plant), book) or order
    return order


def asks_state(text_words: list[str]) -> bool:
    """True when the question asks whether equipment is on/off/open/closed ("on" only at the end)."""
    for i, w in enumerate(text_words):
        if w in v.STATE_WORDS and (w not in v.TRAILING_STATE_WORDS or i + 1 == len(text_words)):
            return True
        if w in v.TRAILING_STATE_WORDS and i + 1 < len(text_words) and text_words[i + 1] in v.TIME_WORDS:
            return True
    return False
