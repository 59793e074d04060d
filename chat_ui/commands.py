"""Command confirmation in the chat: summary, preconditions, time left; approve/reject buttons."""

from __future__ import annotations

import asyncio

import chainlit as cl

from api.services import Services
from chat_ui.render import command_card
from lockpilot.roles import Role

APPROVE, REJECT = "approve_command", "reject_command"
REASON_TIMEOUT_S = 120


async def show_pending(svc: Services, command_id: str, *, role: Role) -> cl.Message | None:
    """Post the confirmation card; the buttons are there only for an operator."""
    desk = svc.tools.commands
    record = desk.store.get(command_id) if desk is not None else None
    if record is None:
        return None
    left = max(0.0, (record.expires_at - svc.clock.now()).total_seconds())
    can_approve = role is Role.OPERATOR
    actions = [
        cl.Action(name=APPROVE, payload={"command_id": command_id}, label="Aprovar", icon="check"),
        cl.Action(name=REJECT, payload={"command_id": command_id}, label="Rejeitar", icon="x"),
    ]
    message = cl.Message(
        content=command_card(record.summary, seconds_left=left, can_approve=can_approve),
        author="Lockpilot",
        actions=actions if can_approve else [],
    )
    await message.send()
    cl.user_session.set(f"actions:{command_id}", message.actions)
    return message


async def _clear(action: cl.Action) -> None:
    """Remove the card's buttons once a decision is taken (no second click)."""
    for shown in cl.user_session.get(f"actions:{action.payload['command_id']}") or [action]:
        await shown.remove()


async def approve(svc: Services, action: cl.Action, *, user: str, role: Role) -> None:
    """Approve from the button: operators only; the copilot re-checks, writes, reads back and reports."""
    if role is not Role.OPERATOR or svc.copilot is None:
        await cl.Message(content="Somente um operador pode aprovar comandos.", author="Lockpilot").send()
        return
    await _clear(action)
    async with cl.Step(name="aprovação", type="tool") as step:
        step.input = action.payload
        outcome, text = await asyncio.to_thread(svc.copilot.approve, action.payload["command_id"], user=user)
        step.output = outcome.model_dump_json(indent=1)
    await cl.Message(content=text, author="Lockpilot").send()


async def reject(svc: Services, action: cl.Action, *, user: str, role: Role) -> None:
    """Reject from the button, asking the reason first; nothing is written."""
    if svc.copilot is None:
        return
    reply = await cl.AskUserMessage(
        content="Motivo da rejeição?", timeout=REASON_TIMEOUT_S, author="Lockpilot"
    ).send()
    reason = (reply or {}).get("output", "").strip() or "sem motivo informado"
    outcome, text = await asyncio.to_thread(
        svc.copilot.reject, action.payload["command_id"], user=user, reason=reason
    )
    if outcome.outcome.value == "rejected":
        await _clear(action)
    await cl.Message(content=text, author="Lockpilot").send()
