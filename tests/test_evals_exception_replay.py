"""Every recorded incident replayed through the rules from full-rate and from exception-recorded history."""

from __future__ import annotations

import pytest

from evals.incident import Incident, IncidentLibrary
from evals.recorded import exception_recorded, read_back
from evals.rules_eval import replay_events, score_incident
from lockpilot.plant import DataType
from rules.bundle import PlantBundle, load_bundle
from rules.engine import RulesEngine
from rules.lifecycle import AlarmEvent, EventKind
from storage.recording import RecordingPolicy

BUNDLE = load_bundle("lock")
LIBRARY = IncidentLibrary(BUNDLE.plant.incidents_dir, BUNDLE.plant)
POLICY = RecordingPolicy.for_plant(BUNDLE.plant)


def _story(incident: Incident, bundle: PlantBundle) -> tuple[set[str], set[str], str | None, float | None]:
    engine = RulesEngine.for_bundle(bundle)
    events: list[AlarmEvent] = replay_events(incident, engine)
    activated = [e for e in events if e.kind is EventKind.ACTIVATED]
    score = score_incident(incident, events, engine)
    return (
        {e.alarm_id for e in activated},
        {e.alarm_id for e in activated if e.first_out},
        score.first_out_alarm,
        score.detected_s,
    )


def test_every_incident_is_recorded() -> None:
    assert len(LIBRARY.ids()) >= 30


@pytest.mark.parametrize("incident_id", LIBRARY.ids())
def test_same_alarms_and_first_outs_from_exception_recorded_history(incident_id: str) -> None:
    incident = LIBRARY.get(incident_id)
    recorded = exception_recorded(incident, BUNDLE.plant, POLICY)
    assert recorded.stored < 0.10 * recorded.collected
    full, rec = _story(incident, BUNDLE), _story(recorded.incident, BUNDLE)
    assert rec[:3] == full[:3]
    if full[3] is not None:
        assert rec[3] == pytest.approx(full[3], abs=2.0)  # the root cause is detected as soon


def test_reading_back_draws_lines_for_analogs_and_steps_for_the_rest() -> None:
    points = [(0.0, 10.0), (10.0, 20.0), (20.0, None)]
    assert read_back(points, 5.0, DataType.REAL) == 15.0
    assert read_back(points, 5.0, DataType.BOOL) == 10.0
    assert read_back(points, 15.0, DataType.REAL) == 20.0  # no line into a gap
    assert read_back(points, -1.0, DataType.REAL) is None
