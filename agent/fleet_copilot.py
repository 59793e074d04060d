"""The central's copilot: the same graph and tools as a site's, over every site's stored data, with no
command path (no command desk, no PLC): commands are approved at the sites and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any

from agent.assembly import checkpointer
from agent.service import Copilot
from fleet.central.store import FleetReader
from lockpilot.clock import Clock
from rules.bundle import PlantBundle
from storage.current import CurrentValue
from tools.context import ToolContext
from tools.fleet_desk import FleetDesk


def _no_local_values(tags: Sequence[str]) -> Mapping[str, CurrentValue | None]:
    """The central has no plant of its own: its local values are all missing."""
    return dict.fromkeys(tags)


def fleet_copilot(
    bundle: PlantBundle,
    *,
    database_url: str,
    redis_url: str,
    group: str,
    clock: Clock,
    closers: ExitStack,
    model: Any = None,
) -> Copilot:
    """A copilot whose tool context carries the fleet desk (and neither commands nor local alarms)."""
    desk = FleetDesk(
        FleetReader(redis_url, group=group, clock=clock), bundle, database_url=database_url, clock=clock
    )
    closers.callback(desk.close)
    tools = ToolContext(bundle=bundle, clock=clock, current=_no_local_values, fleet=desk)
    return Copilot(tools=tools, checkpointer=checkpointer(database_url, closers), model=model)
