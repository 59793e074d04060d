"""A freshly started engine has heard nothing yet: that is not a lost PLC until the stale time has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from twin import LockTwin

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LINK = "perda_comunicacao_clp"


def _raised(engine: RulesEngine) -> set[str]:
    return {a.id for a in engine.active_alarms()}


def test_no_link_alarm_before_the_first_sample_is_overdue(bundle: PlantBundle) -> None:
    engine = RulesEngine.for_bundle(bundle, anomalies=False)
    stale_s = bundle.plant.devices["clp_eclusa"].stale_after_s
    engine.evaluate([], T0)
    engine.evaluate([], T0 + timedelta(seconds=stale_s * 0.8))
    assert LINK not in _raised(engine)  # start-up: the collector's first cycle is simply not in yet
    engine.evaluate([], T0 + timedelta(seconds=stale_s + 1.0))
    assert LINK in _raised(engine)  # nothing ever came: now the copilot is blind, and says so


def test_values_arriving_in_time_raise_nothing_of_the_link(bundle: PlantBundle) -> None:
    engine = RulesEngine.for_bundle(bundle, anomalies=False)
    twin = LockTwin(bundle.plant, seed=3)
    engine.evaluate([], T0)
    for i in range(1, 40):
        twin.step(0.5)
        when = T0 + timedelta(seconds=0.5 * i)
        engine.evaluate([Sample(k, when, v, Quality.GOOD, "twin") for k, v in twin.values().items()], when)
    assert LINK not in _raised(engine)
