"""A scored training session: acknowledge, name the cause, take the right action, avoid the forbidden one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evals.training import TraineeEvent, TraineeEventKind, list_scenarios, start
from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from rules.bundle import PlantBundle


def test_scenarios_are_listed(bundle: PlantBundle, plant: Plant) -> None:
    names = {s.id for s in list_scenarios(plant)}
    assert {"cavitacao_bomba", "comporta_montante_travada"} <= names
    with pytest.raises(KeyError):
        start("nao_existe", "ana", ManualClock(datetime(2025, 1, 1, tzinfo=UTC)), bundle=bundle)


def test_scored_session_report_for_the_trainer(bundle: PlantBundle, plant: Plant) -> None:
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    session = start("cavitacao_bomba", "ana", clock, bundle=bundle)  # speed 10: 1 wall s = 10 sim s
    clock.advance(seconds=15.0)
    assert "cavitacao_bomba" not in session.advance()
    clock.advance(seconds=6.0)  # sim 210 s: the pump tripped on cavitation at about 201 s
    assert "cavitacao_bomba" in session.advance()
    clock.advance(seconds=1.0)
    session.observe(TraineeEvent(TraineeEventKind.ACKNOWLEDGE))
    clock.advance(seconds=2.0)
    session.answer("Acho que a bomba está cavitando, nível de montante baixo")
    clock.advance(seconds=1.0)
    session.observe(TraineeEvent(TraineeEventKind.COMMAND, command="ligar_bomba_principal"))
    session.observe(TraineeEvent(TraineeEventKind.COMMAND, command="reconhecer_falhas_clp"))
    report = session.report()
    assert report.alarm_at_s == pytest.approx(201.0, abs=1.0)
    assert report.acknowledged_after_s == pytest.approx(19.0, abs=1.0)
    assert report.cause_named_after_s == pytest.approx(39.0, abs=1.0)
    assert report.right_actions == ["reconhecer_falhas_clp"]
    assert report.forbidden_actions == ["ligar_bomba_principal"]
    assert report.score == 25 + 35 + 40 - 25
    assert "nota 75/100" in report.summary_pt and report.log
