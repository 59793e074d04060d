"""The incident library: coverage, size, and recordings that replay the twin exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.incident import HISTORY_FILE, IncidentLibrary, history_csv, load_incident
from evals.recorder import EventKind, record
from lockpilot.plant import Plant
from twin import Fault
from twin.scenario import load_scenario

LIBRARY = Path(__file__).resolve().parent.parent / "plants" / "lock" / "incidents"


@pytest.fixture(scope="module")
def library(plant: Plant) -> IncidentLibrary:
    return IncidentLibrary(LIBRARY, plant)


def test_library_covers_every_fault_sequence_pairs_and_quiet_periods(library: IncidentLibrary) -> None:
    scenarios = [load_scenario(LIBRARY / i / "scenario.yaml") for i in library.ids()]
    assert len(scenarios) >= 30
    injected = {s.inject for sc in scenarios for s in sc.timeline if s.inject is not None}
    # command_lost drops one operator command (the command path's own tests use it), not a process fault
    assert injected == set(Fault) - {Fault.COMMAND_LOST}
    during = {
        s.sequence
        for sc in scenarios
        for s in sc.timeline
        if s.sequence is not None and any(x.inject is not None for x in sc.timeline)
    }
    assert len(during) == 5  # a fault during each of the five sequences
    assert sum(len({s.inject for s in sc.timeline if s.inject}) >= 2 for sc in scenarios) >= 3
    assert sum(bool(sc.truth and sc.truth.looks_like) for sc in scenarios) >= 4
    assert sum(sc.truth is not None and sc.truth.root_cause is None for sc in scenarios) >= 3
    assert all(sc.id == i for sc, i in zip(scenarios, library.ids(), strict=True))


def test_library_stays_small() -> None:
    total = sum(p.stat().st_size for p in LIBRARY.rglob("*") if p.is_file())
    assert total < 4_000_000


def test_recording_is_deterministic_and_matches_the_stored_history(plant: Plant) -> None:
    scenario = load_scenario(LIBRARY / "pump_motor_overcurrent" / "scenario.yaml")
    rec = record(scenario, plant)
    assert (
        history_csv(rec, [t.name for t in plant.plc_tags])
        == (LIBRARY / "pump_motor_overcurrent" / HISTORY_FILE).read_bytes()
    )
    assert any(e.kind is EventKind.PLC_FAULT and e.name == "falha_sobrecorrente_motor" for e in rec.events)


def test_write_and_load_round_trip(plant: Plant, tmp_path: Path) -> None:
    from evals.incident import write_incident

    src = LIBRARY / "plc_link_loss_idle" / "scenario.yaml"
    rec = record(load_scenario(src), plant)
    write_incident(rec, tmp_path, plant, scenario_text=src.read_text(encoding="utf-8"))
    inc = load_incident(tmp_path, plant)
    assert inc.signature_s() == rec.signatures["perda_comunicacao_clp"]
    down = [t for t, d in zip(inc.times_s, inc.link_down, strict=True) if d]
    assert down and 30.0 <= down[0] <= 31.0 and down[-1] <= 45.5
    last = inc.index_at(100.0)
    assert inc.rows[last]["nivel_camara"] == pytest.approx(
        rec.rows[rec.times_s.index(100.0)]["nivel_camara"], abs=1e-3
    )
