"""Done-means of issue 8 for the rules: each root cause first-out, delay p95 <= 2 s, no false alarm.

The full library is replayed (about 10 s); the CLI twin is `lockpilot eval rules`.
"""

from __future__ import annotations

from pathlib import Path

from evals.incident import IncidentLibrary
from evals.rules_eval import evaluate_rules
from lockpilot.plant import Plant
from rules.bundle import PlantBundle

LIBRARY = Path(__file__).resolve().parent.parent / "plants" / "lock" / "incidents"


def test_rules_replay_over_the_library(bundle: PlantBundle, plant: Plant) -> None:
    library = IncidentLibrary(LIBRARY, plant)
    report = evaluate_rules(bundle, (library.get(i) for i in library.ids()))
    figures = report.figures()
    assert figures["detected"] == figures["with_fault"], figures
    assert figures["delay_p95_s"] is not None and figures["delay_p95_s"] <= 2.0, figures
    assert figures["false_alarms"] == 0, [s for s in report.incidents if s.false_alarms]
    wrong = {s.incident: s.first_out_alarm for s in report.incidents if s.root_cause and not s.first_out}
    assert not wrong, f"root cause not first-out: {wrong}"
