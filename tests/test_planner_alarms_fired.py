"""Which alarms fired over a window ("teve algum alarme na última hora?", a handover's question): the alarms
raised, most raised first, and how many are active now; not the active list alone, nor no answer."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context


def _ask(bundle: PlantBundle, incident: str, at_s: float, question: str) -> dict[str, Any]:
    copilot = Copilot(tools=incident_context(bundle, incident, at_s), checkpointer=InMemorySaver())
    return copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id=question).model_dump(mode="json")


@pytest.mark.parametrize(
    "question",
    [
        "passagem de turno: teve algum alarme nas últimas horas?",
        "teve algum alarme na última hora?",
        "were there any alarms in the last 2 hours?",
    ],
)
def test_the_alarms_raised_over_a_window_are_named(bundle: PlantBundle, question: str) -> None:
    result = _ask(bundle, "overpressure_during_emptying", 200, question)
    assert [c["name"] for c in result["tool_calls"]] == ["alarm_kpis", "list_active_alarms"]
    assert "sobrepressao_sistema (1×)" in result["answer"], result["answer"]


def test_a_quiet_window_says_none_fired(bundle: PlantBundle) -> None:
    result = _ask(bundle, "quiet_idle", 200, "teve algum alarme na última hora?")
    assert result["answer"].startswith("Nenhum alarme disparou na última hora"), result["answer"]


def test_a_link_loss_flood_of_bad_data_is_one_note_and_the_loss_is_named(bundle: PlantBundle) -> None:
    result = _ask(bundle, "plc_link_loss_idle", 100, "Teve algum alarme nos últimos minutos?")
    first = result["answer"].split("\n")[0]
    assert "nos últimos 10 min" in first and "perda_comunicacao_clp (1×)" in first, first
    assert "qualidade_dados." not in first and "qualidade de dados em várias leituras" in first
