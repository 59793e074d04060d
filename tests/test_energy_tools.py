"""Energy per lock cycle and power per equipment from history rows; the simulated meter feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lockpilot.clock import ManualClock
from tools.energy import CycleKind, Row, cycles, energy_per_cycle, power_per_equipment
from twin.meters.feed import Channel, ManualValues, MeterFeed

T0 = datetime(2025, 3, 1, 8, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_energy_per_cycle_from_counter_and_from_power() -> None:
    status = [
        Row(at(0), "valvula_enchimento_1_aberta", 1.0),
        Row(at(600), "valvula_enchimento_1_aberta", 0.0),
        Row(at(900), "valvula_esvaziamento_1_aberta", 1.0),
        Row(at(1500), "valvula_esvaziamento_1_aberta", 0.0),
    ]
    found = cycles(
        status, filling_tag="valvula_enchimento_1_aberta", emptying_tag="valvula_esvaziamento_1_aberta"
    )
    assert [c.kind for c in found] == [CycleKind.FILLING, CycleKind.EMPTYING]
    counter = [
        Row(at(s), "medidor_bomba_energia", wh)
        for s, wh in ((0, 1000.0), (300, 3000.0), (600, 5000.0), (900, 5000.0), (1200, 0.0), (1500, 700.0))
    ]
    result = energy_per_cycle(found, energy_rows=counter, energy_unit_wh=True)
    assert [r.energy_kwh for r in result] == pytest.approx(
        [4.0, 0.7]
    )  # the reset at 1200 s does not subtract
    power = [Row(at(s), "potencia_bomba", 60.0) for s in range(0, 601, 60)]
    by_power = energy_per_cycle(found[:1], power_rows=power)
    assert by_power[0].energy_kwh == pytest.approx(10.0) and by_power[0].method == "power"


def test_power_per_equipment() -> None:
    rows = [
        Row(at(0), "medidor_bomba_potencia", 50_000.0),
        Row(at(1), "medidor_bomba_potencia", 70_000.0),
        Row(at(1), "alimentador_potencia", 80.0),
        Row(at(2), "medidor_bomba_potencia", None),
    ]
    result = power_per_equipment(
        rows,
        {"medidor_bomba_potencia": "bomba_principal", "alimentador_potencia": "eclusa"},
        watts_tags=frozenset({"medidor_bomba_potencia"}),
    )
    assert [(p.equipment, p.mean_kw, p.max_kw, p.last_kw) for p in result] == [
        ("bomba_principal", 60.0, 70.0, 70.0),
        ("eclusa", 80.0, 80.0, 80.0),
    ]


def test_feed_energy_follows_the_pump() -> None:
    values = ManualValues({"corrente_motor_bomba": 100.0})
    clock = ManualClock(T0)
    feed = MeterFeed(
        values, {"bomba": Channel("corrente_motor_bomba", voltage_v=220.0, power_factor=1.0)}, clock=clock
    )
    assert feed.reading("bomba").power_w == pytest.approx(22_000.0)
    clock.advance(seconds=1800)
    values.set(corrente_motor_bomba=0.0)
    stopped = feed.reading("bomba")
    assert stopped.energy_wh == pytest.approx(11_000.0) and stopped.power_w == 0.0
    clock.advance(seconds=1800)
    assert feed.reading("bomba").energy_wh == pytest.approx(11_000.0)
    feed.reset_energy("bomba")
    assert feed.reading("bomba").energy_wh == 0.0


def test_feed_runs_on_the_lock_twin() -> None:
    twin_module = pytest.importorskip("twin.model")
    lock_twin = getattr(twin_module, "LockTwin", None)
    if lock_twin is None:
        pytest.skip("LockTwin not available yet")
    from lockpilot.plant import load_plant
    from tests.conftest import REPO_ROOT

    twin = lock_twin(load_plant("lock", root=REPO_ROOT / "plants"), seed=1)
    clock = ManualClock(T0)
    feed = MeterFeed(twin, {"bomba": Channel("corrente_motor_bomba", voltage_v=380.0, phases=3)}, clock=clock)
    for _ in range(10):
        twin.step(1.0)
        clock.advance(seconds=1.0)
        reading = feed.reading("bomba")
    assert reading.current_a == pytest.approx(float(twin.values().get("corrente_motor_bomba", 0.0) or 0.0))
