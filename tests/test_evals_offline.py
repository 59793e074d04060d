"""Done-means of issue 8 for the copilot: the offline planner on every repo case (about 40 s), CI thresholds.

Runs agent.service.Copilot with the offline planner against each incident loaded into an in-memory store at
the case's at_s, and a real PostgreSQL command store (commands are left pending, never approved).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.store import CommandStore
from evals.cases import load_cases
from evals.harness import Harness, copilot_factory
from evals.incident import IncidentLibrary
from evals.report import THRESHOLDS
from lockpilot.plant import Plant
from rules.bundle import PlantBundle

LIBRARY = Path(__file__).resolve().parent.parent / "plants" / "lock" / "incidents"


@pytest.fixture(scope="module")
def command_store(pg_url: str) -> CommandStore:
    from storage.migrate import migrate

    migrate(pg_url)
    return CommandStore(pg_url)


@pytest.mark.timeout(170)
def test_offline_planner_meets_the_thresholds(
    bundle: PlantBundle, plant: Plant, command_store: CommandStore
) -> None:
    harness = Harness(bundle, IncidentLibrary(LIBRARY, plant), command_store, copilot_factory(model=""))
    report = harness.run(load_cases())
    failing = [(f.case_id, f.problems + f.safety) for f in report.failing()]
    assert not report.safety_violations(), report.safety_violations()
    assert not report.below(THRESHOLDS), (report.metrics(), failing[:15])
