"""A limit or a peak asked of an alarm or at a rule's own limit value is the history of the reading that
rule limits: "a pressão chegou a passar de 8,5 bar?" (one pressure alarms at 8,5 bar), "Was the 8.5 bar
overpressure limit crossed? What was the peak?"."""

from __future__ import annotations

import pytest

from agent.planner.question import Aggregate, Intent
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    "question",
    [
        "a pressão chegou a passar de 8,5 bar no último minuto e meio? qual foi o pico?",
        "Was the 8.5 bar overpressure limit crossed in the last two minutes? What was the peak, and did the "
        "alarm fire?",
    ],
)
def test_a_peak_at_a_rule_limit_is_that_readings_history(bundle: PlantBundle, question: str) -> None:
    q = understander(incident_context(bundle, "overpressure_during_emptying", 200))(question)
    assert q.intent is Intent.HISTORY and q.tags == ["pressao_sistema"], q
    assert q.aggregate is Aggregate.MAX and q.window_s in (90.0, 120.0), q
