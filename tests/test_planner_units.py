"""A unit named in a question picks the tag measured in it, or says the question is about a set point."""

from __future__ import annotations

import re

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Intent
from agent.planner.understand import understand
from agent.planner.units import units_asked
from agent.service import Copilot
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context

FILLING = "quiet_filling_and_upstream_opening"


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("tá subindo quanto por minuto?", {"m/min"}),
        ("main pump vibration in mm/s?", {"mm/s"}),
        ("qual a vazão em m³/h?", {"m3/h"}),
        ("quantos graus tá o óleo?", {"°C"}),
        ("qual o nível da câmara?", set()),
    ],
)
def test_units_named_in_questions(text: str, units: set[str]) -> None:
    assert units_asked(text) == units


def test_a_rate_asked_per_minute_reads_the_rate_tag(bundle: PlantBundle) -> None:
    q = understand("ta subindo quanto por minuto a caixa da eclusa?", incident_context(bundle, FILLING, 240))
    assert q.intent is Intent.READ and q.tags == ["taxa_variacao_nivel_camara"]


def test_a_measurement_asked_in_its_unit_is_read(bundle: PlantBundle) -> None:
    q = understand("main pump vibration in mm/s?", incident_context(bundle, FILLING, 240))
    assert q.intent is Intent.READ and q.tags == ["vibracao_bomba"]


def test_a_unit_no_named_tag_is_measured_in_asks_the_documents(bundle: PlantBundle) -> None:
    q = understand("a válvula de alívio abre com quantos bar?", incident_context(bundle))
    assert q.intent is Intent.KNOWLEDGE


def test_open_bits_asked_how_much_read_the_positions(bundle: PlantBundle) -> None:
    ctx = incident_context(bundle, "quiet_emptying_and_downstream_opening", 120)
    q = understand("as valvulas de saida tao abertas quanto? as duas", ctx)
    assert q.intent is Intent.READ
    assert q.tags == ["posicao_valvula_esvaziamento_1", "posicao_valvula_esvaziamento_2"]


@pytest.mark.parametrize(
    "text", ["yo, how's the pump doing?", "hey, how's the pump doing?", "como tá a bomba?"]
)
def test_an_equipment_asked_about_without_a_measurement_gets_its_status(
    bundle: PlantBundle, text: str
) -> None:
    q = understand(text, incident_context(bundle))
    status = list(bundle.commands.equipment["bomba_principal"].status_tags)
    assert q.intent is Intent.READ and q.tags == status


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("quanto tá a pressão do sistema em psi?", "psi"),
        ("What's the chamber level in feet?", "ft"),
        ("a temperatura do óleo em fahrenheit?", "°F"),
    ],
)
def test_a_unit_the_plant_does_not_measure_in_is_given_beside_the_reading(
    bundle: PlantBundle, question: str, said: str
) -> None:
    copilot = Copilot(tools=incident_context(bundle, "quiet_idle", 120), checkpointer=InMemorySaver())
    answer = copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="t").answer
    assert re.search(rf"\d+(?:[.,]\d)? {re.escape(said)}\b", answer), answer
