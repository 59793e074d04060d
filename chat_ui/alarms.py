"""Alarms in the chat: a banner when the active set changes, `/alarmes` with ack and shelve buttons."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import chainlit as cl

from api.services import AlarmActions, Services
from chat_ui.render import alarms_table, banner
from lockpilot.formatting import event_name
from lockpilot.roles import Role
from tools.alarms import list_active_alarms
from tools.ports import AlarmView

ACK, SHELVE = "ack_alarm", "shelve_alarm"
SHELVE_FOR_S = 3600.0
COMMENT_TIMEOUT_S = 120


def active(svc: Services) -> list[AlarmView]:
    """The active alarms, most urgent first (empty when the alarm store is absent)."""
    return list_active_alarms(svc.tools).alarms


class BannerGate:
    """One banner per change of the active set: a set is told once it held for two polls in a row, and never
    twice in a row (alarms that come and go, or only change state, post nothing new)."""

    def __init__(self) -> None:
        self.told: frozenset[str] | None = None
        self.last: frozenset[str] | None = None

    def offer(self, ids: frozenset[str]) -> bool:
        """True when the banner for `ids` should be posted now."""
        settled, self.last = ids == self.last, ids
        if not settled or ids == self.told or (self.told is None and not ids):
            return False
        self.told = ids
        return True


async def watch(svc: Services, *, period_s: float, quiet: Callable[[], bool] = lambda: False) -> None:
    """Post the banner whenever the set of active alarms changes, until cancelled; nothing while `quiet()`
    (a training session runs in this chat: its alarms are the scenario's, never the live plant's)."""
    gate = BannerGate()
    while True:
        if not quiet():
            alarms = await asyncio.to_thread(active, svc)
            if gate.offer(frozenset(a.id for a in alarms)):
                await cl.Message(content=banner(alarms), author="Alarmes").send()
        await asyncio.sleep(period_s)


async def show(svc: Services, *, role: Role) -> None:
    """List the active alarms; operators get acknowledge and shelve buttons for each."""
    if svc.tools.alarms is None:
        await cl.Message(content="O serviço de alarmes não está disponível.", author="Alarmes").send()
        return
    alarms = await asyncio.to_thread(active, svc)
    actions = []
    if role is Role.OPERATOR and svc.alarm_actions is not None:
        for a in alarms:
            if not a.acknowledged:
                actions.append(cl.Action(name=ACK, payload={"alarm_id": a.id}, label=f"Reconhecer {a.id}"))
            actions.append(cl.Action(name=SHELVE, payload={"alarm_id": a.id}, label=f"Arquivar {a.id} (1 h)"))
    await cl.Message(content=alarms_table(alarms), author="Alarmes", actions=actions).send()


async def _act(
    svc: Services, action: cl.Action, role: Role, run: Callable[[AlarmActions], dict[str, Any]]
) -> None:
    """Run an alarm action as an operator and say how it ended."""
    actions = svc.alarm_actions
    if role is not Role.OPERATOR or actions is None:
        await cl.Message(content="Somente um operador pode tratar alarmes.", author="Alarmes").send()
        return
    try:
        event = await asyncio.to_thread(run, actions)
    except Exception as exc:  # the alarm changed state meanwhile: say so, keep the chat going
        await cl.Message(content=f"Atenção: {exc}", author="Alarmes").send()
        return
    await action.remove()
    text = f"`{action.payload['alarm_id']}`: {event_name(event['kind'])} por {event['user']}."
    await cl.Message(content=text, author="Alarmes").send()


async def acknowledge(svc: Services, action: cl.Action, *, user: str, role: Role) -> None:
    """Acknowledge the alarm of the button."""
    alarm_id = action.payload["alarm_id"]
    await _act(svc, action, role, lambda actions: actions.acknowledge(alarm_id, user=user, comment=""))


async def shelve(svc: Services, action: cl.Action, *, user: str, role: Role) -> None:
    """Shelve the alarm of the button for an hour, with the comment the operator types."""
    alarm_id = action.payload["alarm_id"]
    comment = ""
    if role is Role.OPERATOR:
        reply = await cl.AskUserMessage(
            content=f"Comentário para arquivar `{alarm_id}` por 1 h?",
            timeout=COMMENT_TIMEOUT_S,
            author="Alarmes",
        ).send()
        comment = (reply or {}).get("output", "").strip()
        if not comment:
            await cl.Message(
                content="Arquivamento cancelado: o comentário é obrigatório.", author="Alarmes"
            ).send()
            return
    await _act(
        svc,
        action,
        role,
        lambda actions: actions.shelve(alarm_id, for_s=SHELVE_FOR_S, user=user, comment=comment),
    )
