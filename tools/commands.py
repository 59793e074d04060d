"""Command tool: request an allow-listed command; it waits for an operator's approval before any write."""

from __future__ import annotations

from typing import Any

from commands.desk import CommandOutcome, Outcome
from lockpilot.roles import Role
from tools.context import ToolContext
from tools.models import Citation, CitationKind, ToolResult


class CommandResult(ToolResult):
    outcome: CommandOutcome | None = None


def request_command(
    ctx: ToolContext,
    command: str,
    value: float | None = None,
    *,
    user: str,
    role: Role,
    thread_id: str,
    user_text: str,
) -> CommandResult:
    """Request a command from commands.yaml; refused unless the user's own message asked for exactly it."""
    desk = ctx.commands
    if desk is None:
        return CommandResult(error="the command path is not available (no PLC link or database)")
    guard = ctx.command_guard
    if guard is None or not guard(command, value, user_text):
        desk.store.audit(
            when=ctx.clock.now(),
            actor=user,
            action="command_refused",
            target=command,
            details={"reason": "not_asked_by_user", "value": value, "user_text": user_text[:500]},
        )
        outcome = CommandOutcome(outcome=Outcome.REFUSED, command=command, reason="not_asked_by_user")
        return CommandResult(
            outcome=outcome, error="refused: the user's message did not ask for this command"
        )
    outcome = desk.request(command, value, user=user, role=role, thread_id=thread_id)
    spec = desk.book.get(command)
    cites: list[Any] = [Citation(kind=CitationKind.TAG, id=spec.tag)] if spec else []
    return CommandResult(outcome=outcome, citations=cites)
