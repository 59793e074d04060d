"""Every rule against its data-driven cases (tests/rules_data/cases.yaml): both sides of each boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.engine import RulesEngine
from rules.loader import RuleSet, load_rules, load_sequences

DATA = yaml.safe_load((Path(__file__).parent / "rules_data" / "cases.yaml").read_text(encoding="utf-8"))
T_START = datetime(2025, 3, 1, tzinfo=UTC)
POLL_S = 0.5
WARMUP_S = 20.0


@pytest.fixture(scope="module")
def rules(plant: Plant) -> RuleSet:
    return load_rules(plant)


@pytest.fixture(scope="module")
def baseline(plant: Plant) -> dict[str, Any]:
    """The lock at rest, as the twin shows it, with the exact levels of the case file."""
    from twin import LockTwin

    twin = LockTwin(plant, seed=3)
    twin.step(5.0)
    return {**twin.values(), **DATA["baseline"]}


class Harness:
    """Feeds a full tag map every poll; applies the case's changes from T0 on."""

    def __init__(self, plant: Plant, rules: RuleSet, baseline: dict[str, Any]) -> None:
        self.engine = RulesEngine(plant, rules, load_sequences(plant), anomalies=False)
        self.values = dict(baseline)
        self.t_s = 0.0
        self.frozen: set[str] = set()
        self.quality: dict[str, Quality] = {}
        self.ramp: dict[str, float] = {}

    def poll(self) -> None:
        self.t_s += POLL_S
        for tag, per_s in self.ramp.items():
            self.values[tag] = float(self.values[tag]) + per_s * POLL_S
        if "plc_heartbeat" not in self.frozen:
            self.values["plc_heartbeat"] = (int(self.values["plc_heartbeat"]) + 1) % 32767
        when = T_START + timedelta(seconds=self.t_s)
        batch = [
            Sample(tag, when, value, self.quality.get(tag, Quality.GOOD), "test")
            for tag, value in self.values.items()
        ]
        self.engine.evaluate(batch, when)

    def run_for(self, seconds: float) -> None:
        for _ in range(round(seconds / POLL_S)):
            self.poll()

    def apply(self, case: dict[str, Any]) -> None:
        self.values.update(case.get("given", {}))
        self.ramp = dict(case.get("ramp", {}))
        self.frozen = set(case.get("freeze", []))
        self.quality = {t: Quality(q) for t, q in case.get("quality", {}).items()}

    def active(self, rule_id: str) -> bool:
        alarm = self.engine.book.alarms.get(rule_id)
        return alarm is not None and alarm.active


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['rule']}-{case.get('name', 'condition')}"


def _started(plant: Plant, rules: RuleSet, baseline: dict[str, Any]) -> Harness:
    harness = Harness(plant, rules, baseline)
    harness.run_for(WARMUP_S)
    assert not harness.engine.active_alarms(), [a.id for a in harness.engine.active_alarms()]
    return harness


@pytest.mark.parametrize("case", DATA["cases"], ids=_case_id)
def test_rule_fires_exactly_at_its_delay(
    case: dict[str, Any], plant: Plant, rules: RuleSet, baseline: dict[str, Any]
) -> None:
    harness = _started(plant, rules, baseline)
    rule = case["rule"]
    t0 = harness.t_s + POLL_S  # the first poll that carries the case's values
    harness.apply(case)
    fires_at = float(case["fires_at_s"])
    while harness.t_s + POLL_S < t0 + fires_at - 1e-9 and harness.t_s + POLL_S != t0 + fires_at:
        harness.poll()
        assert not harness.active(rule), (
            f"{rule} active {harness.t_s - t0:.1f} s after T0, expected at {fires_at} s"
        )
    harness.poll()
    assert harness.active(rule), f"{rule} not active {harness.t_s - t0:.1f} s after T0"
    harness.values = {**dict(baseline), "plc_heartbeat": harness.values["plc_heartbeat"]}
    harness.apply({})
    harness.run_for(float(case.get("clear_within_s", 1.0)))
    assert not harness.active(rule), f"{rule} did not clear"


QUIET = [(case, i, quiet) for case in DATA["cases"] for i, quiet in enumerate(case.get("quiet", []))]


@pytest.mark.parametrize(("case", "index", "quiet"), QUIET, ids=[f"{_case_id(c)}-{i}" for c, i, _ in QUIET])
def test_rule_stays_quiet_on_the_other_side(
    case: dict[str, Any],
    index: int,
    quiet: dict[str, Any],
    plant: Plant,
    rules: RuleSet,
    baseline: dict[str, Any],
) -> None:
    harness = _started(plant, rules, baseline)
    harness.apply(quiet)
    for _ in range(round((float(case["fires_at_s"]) + 5.0) / POLL_S)):
        harness.poll()
        assert not harness.active(case["rule"]), f"{case['rule']} raised by quiet variant {index}"


def test_every_rule_has_a_case(rules: RuleSet) -> None:
    covered = {case["rule"] for case in DATA["cases"]}
    assert {r.id for r in rules.rules} - covered == set()


def test_the_plant_teams_rules_are_there_with_their_ids(rules: RuleSet) -> None:
    ids = {r.id for r in rules.rules}
    assert {
        "cavitacao_bomba",
        "sobrepressao_sistema",
        "travamento_comporta_montante",
        "travamento_comporta_jusante",
    } <= ids
    assert len(ids) >= 24
    for rule in rules.rules:
        assert rule.defn.name.pt and rule.defn.explanation.action.en
