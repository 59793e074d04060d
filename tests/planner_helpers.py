"""A tool context over a recorded incident at a moment (in memory), for the planner's understanding tests."""

from __future__ import annotations

from collections.abc import Callable

from agent.planner.question import Question
from agent.planner.understand import understand
from commands.desk import CommandDesk
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from rules.bundle import PlantBundle
from tools.adapters import CurrentSequences
from tools.context import ToolContext


def incident_context(bundle: PlantBundle, incident: str = "quiet_idle", at_s: float = 30.0) -> ToolContext:
    """The copilot's tools over one recorded incident advanced to `at_s` (no database)."""
    store = IncidentStore(IncidentLibrary(bundle.plant.incidents_dir, bundle.plant).get(incident), bundle)
    store.advance_to(at_s)
    return store_context(bundle, store)


def store_context(
    bundle: PlantBundle, store: IncidentStore, *, commands: CommandDesk | None = None
) -> ToolContext:
    """The copilot's tools over an incident store as it is now, with a command desk when given."""
    return ToolContext(
        bundle=bundle,
        clock=store.clock,
        current=store.current,
        history=store.history(),
        alarms=store.rules,
        sequences=CurrentSequences(bundle, store.current, store.clock),
        commands=commands,
    )


def understander(ctx: ToolContext) -> Callable[[str], Question]:
    return lambda text: understand(text, ctx)
