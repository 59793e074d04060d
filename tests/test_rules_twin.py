"""The engine against the twin: each injected fault raises its alarm within 2 s of its signature (after the
rule's own delay) as the incident's first-out, and `check` agrees with the twin's PLC on sequence starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.engine import RulesEngine
from rules.loader import load_rules, load_sequences
from rules.sequences import LiveValue, SequenceChecker
from twin import Fault, LockTwin

T0 = datetime(2025, 3, 1, tzinfo=UTC)
POLL_S = 0.5
Values = dict[str, Any]


def _when(twin: LockTwin) -> datetime:
    return T0 + timedelta(seconds=twin.sim_time_s)


def _poll(twin: LockTwin, engine: RulesEngine) -> list:
    twin.step(POLL_S)
    when = _when(twin)
    batch = (
        [Sample(k, when, v, Quality.GOOD, "twin") for k, v in twin.values().items()] if twin.link_up else []
    )
    return engine.evaluate(batch, when)


# fault, injection params, (chamber level, sequence to start), alarm, its delay (s), signature on twin values
CASES: list[tuple[Fault, dict[str, Any], tuple[float | None, int], str, float, Callable[[Values], bool]]] = [
    (
        Fault.CAVITATION,
        {"rate_m_min": 3.0},
        (None, 0),
        "cavitacao_bomba",
        2.0,
        lambda v: (
            v["nivel_reservatorio_montante"] < 10.5
            and v["bomba_principal_status"]
            and v["pressao_succao"] < 0.5
            and v["vibracao_bomba"] > 7.1
        ),
    ),
    (
        Fault.OVERPRESSURE,
        {},
        (None, 0),
        "sobrepressao_sistema",
        30.0,
        lambda v: v["pressao_sistema"] > 8.5 and v["valvula_alivio_fechada"],
    ),
    (
        Fault.GATE_JAM_UPSTREAM,
        {},
        (13.5, 3),
        "travamento_comporta_montante",
        0.0,
        lambda v: v["falha_travamento_comporta_montante"],
    ),
    (
        Fault.GATE_JAM_DOWNSTREAM,
        {},
        (None, 4),
        "travamento_comporta_jusante",
        0.0,
        lambda v: v["falha_travamento_comporta_jusante"],
    ),
    (
        Fault.LEVEL_SENSOR_DRIFT,
        {"rate_m_min": 1.0},
        (None, 0),
        "divergencia_nivel_camara",
        10.0,
        lambda v: abs(v["nivel_camara"] - v["nivel_camara_2"]) > 0.15,
    ),
    (
        Fault.VALVE_STUCK_FILLING,
        {},
        (None, 1),
        "valvulas_enchimento_assimetricas",
        5.0,
        lambda v: abs(v["posicao_valvula_enchimento_1"] - v["posicao_valvula_enchimento_2"]) > 5.0,
    ),
    (
        Fault.HPU_OIL_OVERTEMP,
        {"heat_kw": 60.0},
        (None, 0),
        "temperatura_oleo_hpu_alta",
        0.0,
        lambda v: v["falha_temperatura_oleo"],
    ),
    (
        Fault.MOTOR_OVERCURRENT,
        {},
        (None, 0),
        "sobrecorrente_motor_bomba",
        5.0,
        lambda v: v["corrente_motor_bomba"] > 156.0,
    ),
    (
        Fault.SENSOR_FREEZE,
        {"tag": "nivel_camara"},
        (None, 1),
        "sensor_nivel_camara_congelado",
        20.0,
        lambda v: True,
    ),  # the signature is the frozen value itself: 20 s of it
    (Fault.PLC_LINK_LOSS, {"duration_s": 30.0}, (None, 0), "perda_comunicacao_clp", 3.0, lambda v: True),
]


@pytest.fixture(scope="module")
def rules_and_sequences(plant: Plant) -> tuple[Any, Any]:
    return load_rules(plant), load_sequences(plant)


@pytest.mark.parametrize(
    ("fault", "params", "setup", "alarm_id", "delay_s", "signature"), CASES, ids=[c[0].value for c in CASES]
)
def test_fault_raises_its_alarm_first(
    fault: Fault,
    params: dict[str, Any],
    setup: tuple[float | None, int],
    alarm_id: str,
    delay_s: float,
    signature: Callable[[Values], bool],
    plant: Plant,
    rules_and_sequences: tuple[Any, Any],
) -> None:
    engine = RulesEngine(plant, *rules_and_sequences)
    twin = LockTwin(plant, seed=11, chamber_m=setup[0])
    for _ in range(40):
        _poll(twin, engine)
    assert not [a.id for a in engine.active_alarms()]
    if setup[1]:
        twin.command("comando_iniciar_sequencia", setup[1])
        for _ in range(8):
            _poll(twin, engine)
    twin.inject(fault, **params)
    seen_at = raised_at = None
    while raised_at is None and twin.sim_time_s < 900:
        events = _poll(twin, engine)
        if seen_at is None and signature(twin.values()):
            seen_at = twin.sim_time_s
        raised = [e for e in events if e.alarm_id == alarm_id and e.kind.value == "activated"]
        if raised:
            raised_at = twin.sim_time_s
            assert raised[0].first_out, f"{alarm_id} is not the first-out"
    assert seen_at is not None and raised_at is not None, f"{alarm_id} never raised"
    assert raised_at - seen_at <= delay_s + 2.0 + 1e-6, (seen_at, raised_at)


def _live(twin: LockTwin) -> dict[str, LiveValue]:
    when = _when(twin)
    return {k: LiveValue(v, when, Quality.GOOD) for k, v in twin.values().items()}


def _twin_permits(twin: LockTwin, code: int) -> bool:
    from twin.equipment import Sequence
    from twin.plc.sequences import refusal

    return refusal(Sequence(code), twin.plc.mem, twin.values(), twin.params) is None


def _states(plant: Plant) -> list[LockTwin]:
    low = LockTwin(plant, seed=2)
    high = LockTwin(plant, seed=2, chamber_m=13.5)
    running = LockTwin(plant, seed=2)
    running.step(2.0)
    running.command("comando_iniciar_sequencia", 1)
    faulted = LockTwin(plant, seed=2)
    faulted.inject(Fault.OVERPRESSURE)
    drifted = LockTwin(plant, seed=2)
    drifted.inject(Fault.LEVEL_SENSOR_DRIFT, rate_m_min=6.0)
    for twin, seconds in ((low, 3.0), (high, 3.0), (running, 3.0), (faulted, 60.0), (drifted, 3.0)):
        twin.step(seconds)
    return [low, high, running, faulted, drifted]


def test_check_agrees_with_the_twins_plc(plant: Plant, rules_and_sequences: tuple[Any, Any]) -> None:
    rules, sequences = rules_and_sequences
    checker = SequenceChecker(plant, sequences, rules.params)
    verdicts = set()
    for twin in _states(plant):
        for seq in sequences.values():
            result = checker.check(seq.id, _live(twin), _when(twin))
            assert result.permitted == _twin_permits(twin, seq.code), (seq.id, result.as_dict())
            verdicts.add(result.permitted)
    assert verdicts == {True, False}


def test_check_reports_live_value_threshold_and_age(
    plant: Plant, rules_and_sequences: tuple[Any, Any]
) -> None:
    rules, sequences = rules_and_sequences
    twin = LockTwin(plant, seed=2)
    twin.step(1.0)
    checker = SequenceChecker(plant, sequences, rules.params)
    live = _live(twin)
    result = checker.check("abertura_comporta_montante", live, _when(twin) + timedelta(seconds=2))
    assert not result.permitted
    equal = next(p for p in result.preconditions if p.id == "niveis_equalizados")
    assert not equal.passed and equal.threshold == pytest.approx(0.1) and equal.live > 7.0
    assert equal.age_s == pytest.approx(2.0) and equal.sentence.pt.startswith("Nível")
    stale = {**live, "pressao_sistema": LiveValue(6.0, _when(twin) - timedelta(seconds=30), Quality.GOOD)}
    result = checker.check("fechamento_comportas", stale, _when(twin))
    assert result.permitted
    result = checker.check("enchimento", stale, _when(twin))
    pressure = next(p for p in result.preconditions if p.id == "sistema_pressurizado")
    assert not pressure.passed and not pressure.trusted and not result.permitted


def test_tracker_follows_the_running_step(plant: Plant, rules_and_sequences: tuple[Any, Any]) -> None:
    engine = RulesEngine(plant, *rules_and_sequences)
    twin = LockTwin(plant, seed=4)
    _poll(twin, engine)
    twin.command("comando_iniciar_sequencia", 1)
    for _ in range(6):
        _poll(twin, engine)
    status = engine.sequence_status()
    assert status.sequence_id == "enchimento" and status.step >= 1 and not status.overdue
