"""A tool result that names an active alarm cites it and its rule, whichever tool named it: the list of
alarms, a reading carrying the alarms on its tag, the plant's status."""

from __future__ import annotations

from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context
from tools.live import read_tag
from tools.models import CitationKind
from tools.status import plant_status


def _cited(result: object, kind: CitationKind) -> set[str]:
    return {c.id for c in result.citations if c.kind is kind}  # type: ignore[attr-defined]


def test_a_reading_with_an_alarm_on_its_tag_cites_the_alarm_and_its_rule(bundle: PlantBundle) -> None:
    ctx = incident_context(bundle, "valve_stuck_filling_2", 80)
    read = read_tag(ctx, ["posicao_valvula_enchimento_1", "posicao_valvula_enchimento_2"])
    assert read.alarms, "the incident has the valves' alarm active at 80 s"
    ids = {a.rule_id for a in read.alarms}
    assert ids <= _cited(read, CitationKind.RULE) and {a.id for a in read.alarms} <= _cited(
        read, CitationKind.ALARM
    )


def test_the_plant_status_cites_each_active_alarm_and_its_rule(bundle: PlantBundle) -> None:
    status = plant_status(incident_context(bundle, "valve_stuck_filling_2", 80))
    assert status.alarms
    assert {a.rule_id for a in status.alarms} <= _cited(status, CitationKind.RULE)
