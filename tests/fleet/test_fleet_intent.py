"""The central copilot's fleet intent layer: which fleet tool a question needs, for which site, or None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.fleet_intent import find_site, fleet_plan
from lockpilot.language import Language
from rules.bundle import PlantBundle
from tools.tag_index import TagIndex

SITES = ["eclusa-1", "eclusa-2", "eclusa-3", "barra-bonita"]
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
LEVEL_3 = {"site": "eclusa-3", "tags": ["nivel_camara"]}


@pytest.mark.parametrize(
    ("question", "tool", "args", "language"),
    [
        ("quais eclusas estão com alarme?", "fleet_alarms", {"site": None}, Language.PT),
        ("which locks have an active alarm?", "fleet_alarms", {"site": None}, Language.EN),
        ("tem alarme na eclusa 2?", "fleet_alarms", {"site": "eclusa-2"}, Language.PT),
        ("qual o nível da câmara na eclusa 3?", "fleet_read_tag", LEVEL_3, Language.PT),
        ("what is the chamber level at lock 3?", "fleet_read_tag", LEVEL_3, Language.EN),
        ("compare a energia por ciclo das eclusas hoje", "fleet_energy_per_cycle",
         {"site": None, "window_s": 15 * 3600.0}, Language.PT),
        ("alguma eclusa sem comunicação?", "fleet_status", {"site": None}, Language.PT),
        ("is any lock not communicating?", "fleet_status", {"site": None}, Language.EN),
        ("a barra-bonita está online?", "fleet_status", {"site": "barra-bonita"}, Language.PT),
    ],
)  # fmt: skip
def test_fleet_questions_become_one_fleet_tool_call(
    bundle: PlantBundle, question: str, tool: str, args: dict[str, object], language: Language
) -> None:
    plan = fleet_plan(question, sites=SITES, tag_index=TagIndex(bundle.plant), now=NOW)
    assert plan is not None
    assert [(name.value, a) for name, a in plan.calls] == [(tool, args)]
    assert plan.language is language


def test_questions_about_no_lock_are_left_to_the_planner(bundle: PlantBundle) -> None:
    index = TagIndex(bundle.plant)
    assert fleet_plan("qual a pressão do sistema?", sites=SITES, tag_index=index) is None
    assert fleet_plan("why did the pump trip?", sites=SITES, tag_index=index) is None


def test_a_lock_number_names_a_site_only_when_one_id_ends_with_it() -> None:
    assert find_site("nivel na eclusa 3", SITES) == "eclusa-3"
    assert find_site("lock 7 level", SITES) is None
    assert find_site("nivel na eclusa 1", ["eclusa-1", "eclusa-11"]) == "eclusa-1"
