"""What the Slack and Teams bots share: ask with the user's role in their own thread, decide on commands."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agent.service import AnswerResult
from api.services import Services
from lockpilot.roles import Role

APPROVE, REJECT = "approve_command", "reject_command"


class Channel(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@dataclass(frozen=True, slots=True)
class BotUser:
    """A bot user as the copilot sees them: a stable name, the role from the directory, the thread."""

    name: str
    role: Role
    thread_id: str


def bot_user(svc: Services, channel: Channel, *, user_id: str, conversation_id: str) -> BotUser:
    """The caller's directory name and role (default viewer) and their thread in this conversation."""
    found = svc.users.by_bot_id(**{f"{channel.value}_id": user_id})
    role = found.role if found else svc.users.default_bot_role
    name = found.username if found else f"{channel.value}:{user_id}"
    return BotUser(name=name, role=role, thread_id=f"{channel.value}:{conversation_id}:{user_id}")


def ask(svc: Services, channel: Channel, who: BotUser, text: str) -> AnswerResult | None:
    """Ask the copilot in the caller's thread (None when no copilot runs here)."""
    if svc.copilot is None:
        return None
    started = time.perf_counter()
    result: AnswerResult = svc.copilot.ask(text, user=who.name, role=who.role, thread_id=who.thread_id)
    svc.telemetry.observe_agent(channel.value, time.perf_counter() - started)
    return result


def decide(svc: Services, who: BotUser, decision: str, command_id: str, *, reason: str = "") -> str:
    """Approve or reject from a button; the command desk enforces the operator role again."""
    if svc.copilot is None:
        return "O copiloto não está disponível."
    if decision == APPROVE and who.role is not Role.OPERATOR:
        return "⛔ Somente um operador pode aprovar comandos."
    if decision == APPROVE:  # the desk asks the directory again, now
        _, text = svc.copilot.approve(command_id, user=who.name)
    else:
        _, text = svc.copilot.reject(command_id, user=who.name, reason=reason or "rejeitado no chat")
    return text


def pending_summary(svc: Services, command_id: str) -> dict[str, Any] | None:
    """The stored summary of a pending command, with the seconds left."""
    desk = svc.tools.commands
    record = desk.store.get(command_id) if desk is not None else None
    if record is None:
        return None
    left = max(0.0, (record.expires_at - svc.clock.now()).total_seconds())
    return {**record.summary, "seconds_left": int(left)}
