"""Phrasings of a question's purpose that vary word by word: "o que (eu) faço", "why", "e se eu abrir...?"."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "o que eu faço", "o que devo fazer", "como proceder", "what should I do", "how do we handle it"...
_PROCEDURE = re.compile(
    r"\bo que (?:eu |a gente |nos |voce )?(?:devo |posso |tenho que |preciso |deveria |vou |faz |se )?"
    r"(?:faco|fazer|faz|faca)\b"
    r"|\bcomo (?:eu |a gente |devo |posso |se )*(?:proceder|procedo|agir|ajo|resolver|resolvo|tratar|"
    r"lidar|corrigir|corrijo)\b"
    r"|\bwhat (?:should|do|can|must|shall) (?:i|we) do\b|\bhow (?:do|should|can) (?:i|we) "
    r"(?:handle|fix|deal|proceed|respond)\b"
)
# "o que houve", "what went wrong" (what is going on is the plant's status, not a fault)...
_WHY = re.compile(
    r"\bo que (?:houve|ha|aconteceu|deu|causou|provocou)\b|\bqual (?:o|e o) problema\b"
    r"|\bwhat(?: is|'s|s)? (?:wrong|the problem)\b|\bwhat went wrong\b|\bhow come\b"
)
_WHAT_IF = re.compile(
    r"^(?:e|and|mas|but)? ?(?:se|if) (?:eu |nos |a gente |i |we |you )?"
    r"|^what (?:if|happens if|would happen if) (?:i |we |you )?"
    r"|^o que (?:acontece|aconteceria|vai acontecer) se (?:eu |nos |a gente )?"
    r"|^(?:simule|simular|simulate|preveja|prever|predict) (?:o que acontece se |what happens if )?"
)
_MINUTES = re.compile(r"\b(?:por|durante|nos proximos|em|for|over|in|the next)\s+(\d+(?:[.,]\d+)?)\s*min")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A hypothetical action to try on a sandbox copy of the plant."""

    action: str
    minutes: float


def asks_procedure(folded: str) -> bool:
    """True when the operator asks what to do."""
    return _PROCEDURE.search(folded) is not None


def asks_why(folded: str) -> bool:
    """True when the operator asks what happened or what is wrong."""
    return _WHY.search(folded) is not None


def what_if(folded: str, default_minutes: float = 10.0) -> WhatIf | None:
    """The action of an "e se eu abrir ...?" / "what if I open ...?" question, None for anything else."""
    text = folded.strip(" ?!¿.")
    opener = _WHAT_IF.match(text)
    if opener is None or opener.end() == 0:
        return None
    minutes = _MINUTES.search(text)
    action = _MINUTES.sub(" ", text[opener.end() :]).strip(" ,?")
    if not action:
        return None
    return WhatIf(action, float(minutes.group(1).replace(",", ".")) if minutes else default_minutes)
