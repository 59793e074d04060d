"""The deterministic guard: a command may be requested only when the user's own message asked for it.

Text from documents, tag descriptions, alarm texts or the model itself never reaches this check: it reads
only the last message the user typed, with the planner's word-level reading of an order (no similarity,
no model).
"""

from __future__ import annotations

from agent.planner.lexical import order_in, order_in_site_words
from lockpilot.plant import Plant
from lockpilot.plant.commands import Action, CommandBook

VALUE_TOLERANCE = 1e-6


def asked_by_user(
    command: str, value: float | None, user_text: str, *, book: CommandBook, plant: Plant | None = None
) -> bool:
    """True only when the user's message is an imperative request for exactly this command (and value), in
    the plant's words or, given the plant, in the site's ("abre a porta de cima")."""
    order = order_in(user_text, book) if plant is None else order_in_site_words(user_text, book, plant)
    if order is None or order.command != command:
        return False
    if order.action is Action.SET:
        return value is not None and order.value is not None and abs(order.value - value) <= VALUE_TOLERANCE
    return True
