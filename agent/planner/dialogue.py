"""What a conversation is about: the previous turn's subject, and follow-ups resolved against it.

"e a de jusante?" swaps the side of what was just asked; "por quê?" explains it; "e agora, o que eu faço?"
turns to the procedure; "quanto tempo falta?" to the running sequence. The focus is kept in the graph's
checkpointed state, so a thread remembers it across restarts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from agent.planner.windows import without_window
from lockpilot.plant import Plant
from lockpilot.text import fold, words

# Pairs of words that name the other one of two (sides, valves, directions), as plant names use them.
SWAPS = (("montante", "jusante"), ("enchimento", "esvaziamento"), ("esquerda", "direita"))
_NUMBERED = re.compile(r"_(1|2)\b|_(1|2)_")
_FOLLOW_OPENERS = (
    "e ",
    "and ",
    "e o ",
    "e a ",
    "e os ",
    "e as ",
    "what about",
    "how about",
    "e quanto",
    "e no",
    "e na",
)
FOLLOW_UP_MAX_WORDS = 6


@dataclass
class Focus:
    """The subject of the last answered turn."""

    intent: str = ""
    tags: list[str] = field(default_factory=list)
    equipment: str | None = None
    rule: str | None = None
    sequence: str | None = None
    window_s: float | None = None
    language: str = ""  # of the turn: a turn without language markers ("Done?") answers in it
    # An order that asked back which equipment ("abre a válvula"): the user's own words, and the number of
    # the user's message that gave it; the next message may complete it ("a by-pass da bomba").
    awaiting_order: str = ""
    awaiting_turn: int = 0

    def as_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, data: dict[str, Any] | None) -> Focus | None:
        if not data:
            return None
        return cls(
            intent=str(data.get("intent") or ""),
            tags=list(data.get("tags") or []),
            equipment=data.get("equipment"),
            rule=data.get("rule"),
            sequence=data.get("sequence"),
            window_s=data.get("window_s"),
            language=str(data.get("language") or ""),
            awaiting_order=str(data.get("awaiting_order") or ""),
            awaiting_turn=int(data.get("awaiting_turn") or 0),
        )

    def guard_text(self, message: str, *, turn: int) -> str:
        """The user's words the command guard reads for their message number `turn`: with the order it
        completes when it is the very next message after an order that asked back which equipment; an
        order that points to "it" with the equipment of the previous turn; else the message alone."""
        if self.awaiting_order and turn == self.awaiting_turn + 1:
            return f"{self.awaiting_order} {message}"
        return self.naming_it(message)

    def naming_it(self, message: str) -> str:
        """An order pointing to "it" ("Close it.") or to the kind of the previous turn's equipment without
        saying which ("para a comporta então" after the downstream gate), with that equipment named after
        it; any other message as it is."""
        if self.equipment and (points_to_it(message) or names_its_kind(message, self.equipment)):
            return f"{message} {self.equipment.replace('_', ' ')}"
        return message

    def sole_equipment(self, plant: Plant) -> str | None:
        """The one equipment the previous turn was about: named, or owning every tag it read."""
        owners = {self.equipment} if self.equipment else {plant.tags[t].equipment for t in self.tags}
        return next(iter(owners)) if len(owners) == 1 else None

    @property
    def empty(self) -> bool:
        return not (self.tags or self.equipment or self.rule or self.sequence)


# Words that point back at what was just said ("why do the two transmitters disagree?", "e isso é normal?").
_POINTING_BACK = re.compile(
    r"\b(it|its|they|them|these|those|the two|both of them|which one|isso|isto|esse|essa|esses|essas|"
    r"ele|ela|eles|elas|os dois|as duas|qual deles|qual delas)\b"
)
POINTING_MAX_WORDS = 9


def opens_as_follow_up(text: str) -> bool:
    """Whether the turn opens the way a follow-up does ("e a máxima nos últimos 5 minutos?", "and then?")."""
    return fold(text).strip(" ?!.¿").startswith(_FOLLOW_OPENERS)


def points_back(text: str) -> bool:
    """Whether the turn points at something said before ("esse alarme", "those", "ela")."""
    return _POINTING_BACK.search(fold(text)) is not None


def looks_like_follow_up(text: str) -> bool:
    """A short turn that leans on the previous one ("e a de jusante?", "por quê?", "and now?"), or one
    that points back at it ("why do the two transmitters disagree?")."""
    folded = fold(text).strip(" ?!.¿")
    n = len(words(folded))
    short = n <= FOLLOW_UP_MAX_WORDS and (folded.startswith(_FOLLOW_OPENERS) or n <= 3)
    return short or (n <= POINTING_MAX_WORDS and _POINTING_BACK.search(folded) is not None)


# The same sides in English and in the site's words, as plant names spell them.
_SIDE_SYNONYMS = {
    "upstream": "montante",
    "upper": "montante",
    "downstream": "jusante",
    "lower": "jusante",
    "filling": "enchimento",
    "emptying": "esvaziamento",
    "left": "esquerda",
    "right": "direita",
}
_NUMBER_WORDS = ("1", "2", "um", "dois", "two")  # not "one": "the downstream one" names no number


def side_words(text: str) -> set[str]:
    """The side/number words of a turn ("jusante", "2", "direita"), English ones as the plant names them."""
    ws = set(words(fold(text)))
    ws |= {_SIDE_SYNONYMS[w] for w in ws if w in _SIDE_SYNONYMS}
    found = {w for pair in SWAPS for w in pair if w in ws}
    numbered = set(words(without_window(fold(text))))  # "nos últimos 2 minutos" names no valve 2
    found |= {w for w in ws & numbered if w in _NUMBER_WORDS}
    return found


def only_sides(text: str, content: list[str]) -> bool:
    """Whether a turn names nothing but a side or a number ("e a de jusante?", "and the downstream one?",
    "e a outra?")."""
    sides = side_words(text)
    rest = {w for w in content if w not in sides and _SIDE_SYNONYMS.get(w) not in sides} - {"one"}
    return (bool(sides) and not rest) or (bool(rest) and rest <= _OTHER)


# "Close it.", "fecha ela", "desliga isso": an order whose object is the previous turn's equipment.
_IT = re.compile(r"\b(?:it|ela|ele|isso|isto)\b|\w-(?:la|lo)\b")


# The kind words an equipment id begins with, as operators say them without which one ("a válvula").
GENERIC_EQUIPMENT = {"comporta": "comporta", "gate": "comporta", "valvula": "valvula", "valve": "valvula"}
_WHICH_ONE = re.compile(
    r"\b(?:montante|jusante|upstream|downstream|enchimento|esvaziamento|filling|emptying|by-?pass|alivio"
    r"|relief|upper|lower|de cima|de baixo|\d)\b"
)


def names_its_kind(message: str, equipment: str) -> bool:
    """ "a comporta", "the gate" saying nothing of which one, when the equipment is of that kind."""
    folded = fold(message)
    kinds = {GENERIC_EQUIPMENT[w] for w in words(folded) if w in GENERIC_EQUIPMENT}
    return equipment.split("_")[0] in kinds and _WHICH_ONE.search(folded) is None


def points_to_it(message: str) -> bool:
    """An order that names its object only by a pronoun."""
    return _IT.search(fold(message)) is not None


_OTHER = frozenset({"outra", "outro", "outras", "outros", "other", "another"})


def _other_side(focus: Focus) -> set[str]:
    """ "e a outra?": the side opposite to the one the previous subject is on."""
    names = [*focus.tags, focus.equipment or "", focus.sequence or ""]
    for a, b in SWAPS:
        on_a, on_b = any(a in n for n in names), any(b in n for n in names)
        if on_a != on_b:
            return {b if on_a else a}
    return set()


def _swap_name(name: str, wanted: set[str]) -> str:
    """A plant name with its side or number swapped to the one the follow-up asked for."""
    for a, b in SWAPS:
        if b in wanted and a in name:
            return name.replace(a, b)
        if a in wanted and b in name:
            return name.replace(b, a)
    number = "2" if wanted & {"2", "dois", "two"} else "1" if wanted & {"1", "um", "one"} else None
    if number is not None and _NUMBERED.search(name):
        return _NUMBERED.sub(lambda m: m.group(0).replace(m.group(1) or m.group(2), number), name)
    return name


def swapped(focus: Focus, text: str, *, known_tags: set[str], known_equipment: set[str]) -> Focus | None:
    """The previous subject with its side or number changed as the follow-up says, None if nothing changes."""
    wanted = side_words(text)
    if not wanted and _OTHER.intersection(words(fold(text))):
        wanted = _other_side(focus)
    if not wanted:
        return None
    tags = [t2 for t in focus.tags if (t2 := _swap_name(t, wanted)) in known_tags]
    equipment = _swap_name(focus.equipment, wanted) if focus.equipment else None
    sequence = _swap_name(focus.sequence, wanted) if focus.sequence else None
    rule = _swap_name(focus.rule, wanted) if focus.rule else None
    changed = replace(
        focus,
        tags=tags or focus.tags,
        equipment=equipment if equipment in known_equipment else focus.equipment,
        sequence=sequence,
        rule=rule,
    )
    return None if changed == focus else changed


def focus_of(question: object, done: list[tuple[str, dict[str, Any]]], *, previous: Focus | None) -> Focus:
    """The subject of a just-answered turn: what it named, and the alarm its tools explained."""
    from agent.planner.question import NO_TOOL_INTENTS, Intent, Question

    assert isinstance(question, Question)
    awaiting = question.text if question.intent is Intent.CLARIFY and question.action is not None else ""
    if question.intent in NO_TOOL_INTENTS and previous is not None:
        return replace(previous, awaiting_order=awaiting)
    explained = next((res for name, res in done if name == "explain_alarm" and res.get("rule")), None)
    checked = next(
        (res for name, res in done if name == "check_sequence_preconditions" and res.get("check")), None
    )
    status = next((res for name, res in done if name == "plant_status" and res.get("sequence")), None)
    sequence = question.sequence
    if checked is not None:
        sequence = checked["check"]["sequence_id"]
    elif sequence is None and status is not None:
        sequence = status["sequence"]["sequence_id"]
    return Focus(
        intent=question.intent.value,
        tags=list(question.tags),
        equipment=question.equipment,
        rule=explained["rule"]["id"] if explained else question.rule,
        sequence=sequence,
        window_s=question.window_s,
        language=question.language.value,
        awaiting_order=awaiting,
    )
