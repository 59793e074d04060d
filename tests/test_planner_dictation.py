"""Numbers as a phone dictates them ("setenta graus", "dez metros e meio", "vinte e cinco graus") read as
digits before their unit, so the threshold is understood; "o mínimo e o máximo" asks the window's range."""

from __future__ import annotations

import pytest

from agent.planner.question import Aggregate, Intent
from agent.planner.spoken_numbers import with_digits
from agent.planner.windows import aggregate
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("a temperatura do óleo passou de setenta graus", "a temperatura do óleo passou de 70 graus"),
        ("a câmara já passou de dez metros e meio?", "a câmara já passou de 10,5 metros?"),
        ("vinte e cinco graus", "25 graus"),
        ("setenta e dois graus", "72 graus"),
        ("tem um alarme", "tem um alarme"),  # a number word before no unit stays a word
        ("abre a válvula um", "abre a válvula um"),
    ],
)
def test_a_dictated_number_before_its_unit_is_written_in_digits(said: str, written: str) -> None:
    assert with_digits(said) == written


def test_a_dictated_threshold_is_judged(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "hpu_oil_overtemp", 120))(
        "a temperatura do óleo passou de setenta graus"
    )
    assert q.intent is Intent.READ and q.tags == ["temperatura_oleo_hpu"], q
    assert q.threshold is not None and q.threshold.value == 70.0


def test_the_minimum_and_the_maximum_ask_the_range() -> None:
    assert aggregate("me da o minimo e o maximo nos ultimos 3 minutos") is Aggregate.RANGE
    assert aggregate("qual o maximo nos ultimos 3 minutos") is Aggregate.MAX


def test_a_range_asked_gets_both_ends(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 300))(
        "quanto o mancal da bomba esquentou nos últimos 10 minutos? me dá a mínima e a máxima"
    )
    assert q.intent is Intent.HISTORY and q.aggregate is Aggregate.RANGE, q


@pytest.mark.parametrize(
    ("incident", "at_s", "question", "tag", "value", "unit"),
    [
        (
            "quiet_filling_and_upstream_opening",
            150,
            "a câmara já passou de dez metros e meio ou ainda não",
            "nivel_camara",
            10.5,
            "m",
        ),
        (
            "quiet_emptying_and_downstream_opening",
            90,
            "a taxa de descida tá passando de um vírgula dois metro por minuto ou não",
            "taxa_variacao_nivel_camara",
            1.2,
            "m/min",
        ),
        (
            "quiet_emptying_and_downstream_opening",
            300,
            "a diferença da câmara pro ju sante já tá menor que dois metros e meio",
            "diferenca_nivel_camara_jusante",
            2.5,
            "m",
        ),
    ],
)
def test_a_dictated_limit_in_its_unit_is_judged_on_its_measurement(
    bundle: PlantBundle, incident: str, at_s: float, question: str, tag: str, value: float, unit: str
) -> None:
    q = understander(incident_context(bundle, incident, at_s))(question)
    assert q.intent is Intent.READ and q.tags[:1] == [tag], q
    assert q.threshold is not None and (q.threshold.value, q.threshold.unit) == (value, unit), q.threshold
