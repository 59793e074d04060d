"""The deterministic guard: a command may be requested only when the user's own message asked for it.

Text from documents, tag descriptions, alarm texts or the model itself never reaches this check: it reads
only the last message the user typed, with the same parser the offline planner uses.
"""

from __future__ import annotations

from agent.planner.parse import Intent, parse
from lockpilot.plant.commands import Action, CommandBook
from tools.tag_index import TagIndex

VALUE_TOLERANCE = 1e-6


def asked_by_user(
    command: str, value: float | None, user_text: str, *, book: CommandBook, tag_index: TagIndex
) -> bool:
    """True only when the user's message is an imperative request for exactly this command (and value)."""
    question = parse(user_text, book=book, tag_index=tag_index)
    if question.intent is not Intent.COMMAND or question.command != command:
        return False
    if question.action is Action.SET:
        return (
            value is not None
            and question.value is not None
            and abs(question.value - value) <= VALUE_TOLERANCE
        )
    return True
