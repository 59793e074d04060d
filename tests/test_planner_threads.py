"""A thread on the offline planner: a whole question asked after another is its own question, not a
follow-up of the previous turn; a short subjectless judgement is of the reading just given; places and
differences of level are read as the plant names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import store_context

Say = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="module")
def library(bundle: PlantBundle) -> IncidentLibrary:
    return IncidentLibrary(bundle.plant.incidents_dir, bundle.plant)


@pytest.fixture
def conversation(bundle: PlantBundle, library: IncidentLibrary) -> Callable[[str, float], Say]:
    def on(incident: str, at_s: float) -> Say:
        store = IncidentStore(library.get(incident), bundle)
        store.advance_to(at_s)
        copilot = Copilot(tools=store_context(bundle, store), checkpointer=InMemorySaver())

        def say(question: str) -> dict[str, Any]:
            result = copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="t")
            return result.model_dump(mode="json")

        return say

    return on


def _tools(result: dict[str, Any]) -> list[str]:
    return [c["name"] for c in result["tool_calls"]]


def _tags(result: dict[str, Any]) -> set[str]:
    return {c["id"] for c in result["citations"] if c["kind"] == "tag"}


@pytest.mark.parametrize("question", ["quantos alarmes ativos?", "tem algum alarme?", "any alarms?"])
def test_a_short_whole_question_after_a_reading_is_asked_for_itself(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    say = conversation("overcurrent_during_filling", 120)
    say("qual a vibração da bomba?")
    result = say(question)
    assert "list_active_alarms" in _tools(result), result["answer"]
    assert "vibracao_bomba" not in _tags(result)


def test_a_question_outside_the_plant_does_not_repeat_the_previous_answer(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("overcurrent_during_filling", 120)
    first = say("What's the oil temperature?")
    result = say("Can you book me a flight to Recife?")
    assert result["tool_calls"] == [] and result["answer"] != first["answer"]


def test_a_subjectless_judgement_is_of_the_reading_just_given(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("overcurrent_during_filling", 120)
    say("e a vibração da bomba?")
    result = say("tá dentro do normal?")
    assert _tags(result) == {"vibracao_bomba"}, result["answer"]
    assert "mm/s" in result["answer"]


@pytest.mark.parametrize(
    ("question", "tag"),
    [
        ("What's the upstream water level?", "nivel_reservatorio_montante"),
        ("qual o nível de montante?", "nivel_reservatorio_montante"),
        ("qual a diferença de nível entre montante e a câmara?", "diferenca_nivel_montante_camara"),
        ("how much oil pressure is the hpu making", "pressao_sistema"),
    ],
)
def test_a_place_or_a_difference_of_levels_is_read_as_the_plant_names_it(
    conversation: Callable[[str, float], Say], question: str, tag: str
) -> None:
    result = conversation("overcurrent_during_filling", 120)(question)
    assert "read_tag" in _tools(result) and tag in _tags(result), result["answer"]


def test_that_alarm_asked_after_a_what_to_do_is_the_alarm_just_explained(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("overpressure_relief_blocked", 150)
    say("e agora, o que eu faço?")
    result = say("quando foi a última vez que esse alarme disparou?")
    assert "explain_alarm" in _tools(result) and "disparou pela última vez" in result["answer"]
    assert result["answer"].startswith("«Sobrepressão no sistema hidráulico»")


@pytest.mark.parametrize("cancel", ["cancela isso", "cancel that", "esquece, cancela o pedido"])
def test_cancel_that_after_a_refused_order_requests_nothing(
    conversation: Callable[[str, float], Say], cancel: str
) -> None:
    say = conversation("gate_jam_downstream_opening", 40)
    say("abre a comporta de montante")
    result = say(cancel)
    assert "request_command" not in _tools(result), result["answer"]
    assert "«abortar a sequência»" in result["answer"] or "“abort the sequence”" in result["answer"]


def test_an_order_without_a_command_path_says_what_is_down(conversation: Callable[[str, float], Say]) -> None:
    result = conversation("gate_jam_downstream_opening", 40)("aborta a sequência")  # no command desk here
    assert "não está disponível" in result["answer"] and ": ." not in result["answer"], result["answer"]
    assert result["pending_command"] is None


@pytest.mark.parametrize("question", ["temperatura do óleo tá alta?", "is the oil temperature high?"])
def test_is_it_high_reads_the_measurement_not_its_fault_bit(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    result = conversation("gate_jam_downstream_opening", 40)(question)
    assert "temperatura_oleo_hpu" in _tags(result) and "°C" in result["answer"], result["answer"]


@pytest.mark.parametrize("question", ["por que a válvula 2 não abre?", "why won't filling valve 2 open?"])
def test_why_an_equipment_will_not_move_explains_its_fault(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    result = conversation("valve_stuck_filling_2", 80)(question)
    assert "explain_alarm" in _tools(result), result["answer"]
    assert any(
        c["kind"] == "rule" and c["id"] == "valvulas_enchimento_assimetricas" for c in result["citations"]
    )


def test_the_power_of_the_equipment_asked_comes_first_in_the_users_numbers() -> None:
    from agent.planner.answer_readings import Voice
    from agent.planner.metering_answers import power_lines
    from lockpilot.language import Language

    row = {"equipment": "bomba_principal", "name_pt": "bomba principal", "name_en": "main pump"}
    res = {
        "start": "2025-03-03T07:00:00+00:00",
        "end": "2025-03-03T08:00:00+00:00",
        "equipment": [
            {"equipment": "eclusa", "mean_kw": 70.9, "max_kw": 71.5, "last_kw": 71.2, "samples": 160},
            row | {"mean_kw": 52.87, "max_kw": 53.46, "last_kw": 53.25, "samples": 160},
        ],
    }
    lines, details = power_lines(res, Voice(Language.PT), asked="bomba_principal")
    assert lines == [
        "Bomba principal consome 53,25 kW agora; de 04:00:00 a 05:00:00, média 52,87 kW e máximo 53,46 kW."
    ]
    assert len(details) == 2 and "bomba_principal" not in " ".join(details)


def test_what_is_preventing_an_opening_checks_its_preconditions(
    conversation: Callable[[str, float], Say],
) -> None:
    result = conversation("quiet_idle", 100)("What is preventing the upstream gate from opening?")
    assert "check_sequence_preconditions" in _tools(result) and result["answer"].startswith("No:"), result[
        "answer"
    ]


def test_is_it_adequate_judges_the_reading_against_the_rules(
    conversation: Callable[[str, float], Say],
) -> None:
    result = conversation("quiet_idle", 100)("A pressão do sistema está adequada?")
    assert "pressao_sistema" in _tags(result) and "limite" in result["answer"].lower(), result["answer"]


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("How long would the filling take?", "No sequence is running; chamber filling would take about"),
        (
            "quanto tempo leva pra encher a câmara?",
            "Nenhuma sequência está em andamento; enchimento da câmara",
        ),
    ],
)
def test_how_long_a_sequence_would_take_with_none_running_is_its_estimate(
    conversation: Callable[[str, float], Say], question: str, opening: str
) -> None:
    result = conversation("quiet_idle", 100)(question)
    assert result["answer"].startswith(opening) and " min" in result["answer"], result["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "turno: me passa nível de montante, câmara, jusante, a pressão hidráulica e se tem algum alarme",
        "upstream level, chamber level and any active alarms?",
    ],
)
def test_readings_and_the_alarms_asked_together_are_both_answered(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    result = conversation("overcurrent_during_filling", 120)(question)
    assert {"read_tag", "list_active_alarms"} <= set(_tools(result)), result["answer"]
    assert {"nivel_reservatorio_montante", "nivel_camara"} <= _tags(result), result["answer"]
    assert "alarm" in result["answer"].lower()


@pytest.mark.parametrize(
    ("message", "tag"),
    [
        (
            "sala, aqui é a manutenção na casa de bombas. me passa a vibração da bomba principal aí, câmbio",
            "vibracao_bomba",
        ),
        (
            "manutenção pra sala: qual o diferencial do filtro de sucção agora? câmbio",
            "pressao_diferencial_filtro",
        ),
    ],
)
def test_a_radio_call_and_its_sign_off_are_not_the_question(
    conversation: Callable[[str, float], Say], message: str, tag: str
) -> None:
    result = conversation("overcurrent_during_filling", 120)(message)
    assert "read_tag" in _tools(result) and tag in _tags(result), result["answer"]


def test_explain_the_alarm_named_by_its_id_explains_it_in_the_language_asked(
    conversation: Callable[[str, float], Say],
) -> None:
    result = conversation("quiet_idle", 100)("Explain the cavitacao_bomba alarm.")
    assert "explain_alarm" in _tools(result) and result["language"] == "en", result["answer"]
    assert result["answer"].startswith("«Main pump cavitation»"), result["answer"]


@pytest.mark.parametrize(
    ("dictated", "typed"),
    [
        ("abaixo de zero vírgula cinco bar", "abaixo de 0,5 bar"),
        ("passou de dez e meio metros?", "passou de 10,5 metros?"),
        ("above four point five mm/s?", "above 4.5 mm/s?"),
        ("um ponto de atenção", "um ponto de atenção"),
    ],
)
def test_dictated_numbers_are_read_as_digits(dictated: str, typed: str) -> None:
    from agent.planner.spoken_numbers import with_digits

    assert with_digits(dictated) == typed


def test_a_dictated_limit_is_asked_about_now(conversation: Callable[[str, float], Say]) -> None:
    result = conversation("quiet_idle", 100)(
        "a pressao de succao da bomba ja ta abaixo de zero virgula cinco bar"
    )
    assert "read_tag" in _tools(result) and "0,5 bar" in result["answer"], result["answer"]


def test_what_transmitter_b_reads_follows_the_alarm_just_explained(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("level_drift_looks_like_overfill", 300)
    say("tá dando transbordamento da câmara. é real?")
    result = say("quanto marca o transmissor B?")
    assert "nivel_camara_2" in _tags(result) and "read_tag" in _tools(result), result["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "Por que uma comporta mitra só pode ser aberta com os níveis equalizados?",
        "Why can a mitre gate only open with the levels equalised?",
    ],
)
def test_a_question_about_a_kind_of_equipment_is_asked_of_the_documents(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    result = conversation("quiet_idle", 100)(question)
    assert "search_knowledge" in _tools(result) and "?" not in result["answer"][-2:], result["answer"]


def test_the_power_of_an_equipment_now_is_its_reading(conversation: Callable[[str, float], Say]) -> None:
    result = conversation("quiet_filling_and_upstream_opening", 120)("potência da bomba principal agora?")
    assert _tools(result) == ["read_tag"] and "potencia_bomba" in _tags(result), result["answer"]


def test_how_long_a_kind_of_equipment_takes_is_asked_of_the_documents(
    conversation: Callable[[str, float], Say],
) -> None:
    result = conversation("quiet_gate_closing", 40)("E quanto tempo dura o curso completo de uma comporta?")
    assert "search_knowledge" in _tools(result), result["answer"]


def test_a_kind_of_equipment_after_a_status_is_its_own_question(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_gate_closing", 40)
    say("Qual sequência está ativa agora?")
    result = say("E quanto tempo dura o curso completo de uma comporta?")
    assert _tools(result) == ["search_knowledge"], result["answer"]  # the documents (none in this fixture)


def test_the_other_side_of_a_reservoir_level_is_the_other_reservoirs(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("overcurrent_during_filling", 120)
    say("What's the upstream water level?")
    assert _tags(say("and downstream?")) == {"nivel_jusante"}


def test_is_it_adequate_without_any_limit_says_there_is_none(
    conversation: Callable[[str, float], Say],
) -> None:
    answer = conversation("quiet_idle", 100)("A pressão do acumulador está adequada?")["answer"]
    assert answer.startswith("Pressão do acumulador hidráulico:"), answer
    assert "Nenhuma regra de falha" in answer, answer


def test_how_hot_a_measurement_is_during_a_fault_is_its_reading(
    conversation: Callable[[str, float], Say],
) -> None:
    result = conversation("cavitation_low_upstream", 216)("how hot is the motor winding?")
    assert "temperatura_enrolamento_motor_bomba" in _tags(result) and "°C" in result["answer"], result[
        "answer"
    ]


def test_a_portuguese_passage_given_to_an_english_question_says_so() -> None:
    from agent.planner.answer import write_answer
    from agent.planner.question import Intent, Question
    from lockpilot.language import Language

    hit = {
        "id": "glossario#primeira-falha",
        "document": "glossario",
        "heading": "Primeira falha (first-out)",
        "text": "A primeira falha registrada pelo CLP numa cascata de alarmes, que aponta a causa original.",
        "score": 1.0,
    }
    question = Question(text="What does first-out mean?", language=Language.EN, intent=Intent.KNOWLEDGE)
    answer = write_answer([("search_knowledge", {"hits": [hit]})], Language.EN, question=question)
    assert answer.startswith("The lock's documents say (in Portuguese): A primeira falha"), answer


def test_a_measurement_without_equipment_in_a_follow_up_is_of_the_equipment_just_read(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("gate_jam_upstream_left_leaf", 125)
    say("posição máxima da folha esquerda e da folha direita da comporta de montante nos últimos 2 minutos")
    result = say("e a corrente média do motor nesses mesmos 2 minutos?")
    assert _tags(result) == {"corrente_motor_comporta_montante"}, result["answer"]
    assert "2 min" in result["answer"], result["answer"]


def test_the_same_period_is_the_window_of_the_previous_turn(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("gate_jam_upstream_left_leaf", 125)
    say("qual a corrente média do motor da comporta de montante nos últimos 3 minutos?")
    result = say("e a posição máxima da comporta de montante no mesmo período?")
    assert "3 min" in result["answer"] and "maior" in result["answer"], result["answer"]


def test_the_other_one_is_the_other_side_of_what_was_just_read(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_idle", 100)
    first = say("a comporta de jusante tá fechada?")
    assert first["answer"].startswith("Comporta de jusante fechada e mitrada: sim."), first["answer"]
    result = say("e a outra?")
    assert "comporta_montante_fechada" in _tags(result) and "comporta_jusante_fechada" not in _tags(result)


def test_done_after_a_sequence_ended_says_which_ended_and_when(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_gate_closing", 230)
    result = say("o fechamento das comportas já terminou?")
    answer = result["answer"]
    assert "fechamento das comportas" in answer and "concluída às" in answer, answer
    assert "Comporta de montante fechada e vedada" in answer  # the end state it reached, as the field says


def test_done_in_a_thread_about_a_closing_says_whether_it_completed(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_gate_closing", 150)
    say("qual sequencia ta rodando agora?")
    say("a de montante ta em quanto?")
    result = say("terminou?")  # asked at 150 s: the closing still runs
    assert "fechamento das comportas" in result["answer"] and "concluída" not in result["answer"]


def test_the_gate_after_a_turn_about_one_gate_is_that_gate(conversation: Callable[[str, float], Say]) -> None:
    say = conversation("quiet_gate_closing", 60)
    say("What's the upstream gate motor current right now?")
    result = say("And how fast is the gate moving?")
    assert _tags(result) == {"velocidade_comporta_montante"}, result["answer"]


def test_an_order_naming_only_the_kind_is_of_the_gate_just_talked_about(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("gate_jam_downstream_right_leaf", 30)
    say("a folha direita da comporta de jusante tá atrasada?")
    result = say("para a comporta então")
    requested = [c["args"].get("command") for c in result["tool_calls"] if c["name"] == "request_command"]
    assert requested == ["parar_comporta_jusante"], result["answer"]  # this fixture has no command desk


def test_the_guard_gives_a_bare_kind_the_previous_equipment_and_nothing_else(bundle: PlantBundle) -> None:
    from agent.guard import asked_by_user
    from agent.planner.dialogue import Focus

    focus = Focus(equipment="comporta_jusante")
    said = focus.guard_text("para a comporta então", turn=2)
    assert asked_by_user("parar_comporta_jusante", None, said, book=bundle.commands, plant=bundle.plant)
    assert focus.guard_text("para a comporta de montante", turn=2) == "para a comporta de montante"
    assert focus.guard_text("para a bomba", turn=2) == "para a bomba"  # another kind: as it was said


def test_a_statistic_after_a_reading_is_of_that_reading_and_a_window_names_no_number(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_gate_closing", 150)
    say("corrente do motor da comporta de montante agora")
    peak = say("e a máxima nos últimos 2 minutos?")  # "2" is the window, not a valve or gate number
    assert _tools(peak) == ["query_history"] and _tags(peak) == {"corrente_motor_comporta_montante"}
    assert peak["tool_calls"][0]["args"]["window_s"] == 120.0 and peak["answer"].startswith("O maior valor")
    position = say("e a posição da comporta?")  # another measurement, no statistic: its value now
    assert _tools(position) == ["read_tag"] and _tags(position) == {"posicao_comporta_montante"}


def test_which_of_the_two_is_right_after_two_transmitters_is_no_greeting(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("sensor_freeze_chamber_filling", 150)
    say("nível da câmara transmissor a e transmissor b")
    result = say("qual dos dois tá certo")
    assert _tools(result) == ["read_tag"] and "sensor_nivel_camara_congelado" in result["answer"]
    assert "nivel_camara_2" in result["answer"]


def test_is_it_open_after_what_a_valve_is_reads_its_state(conversation: Callable[[str, float], Say]) -> None:
    say = conversation("quiet_idle", 200)
    say("o que é a tal da válvula by-pass?")
    result = say("e ela tá aberta agora?")
    assert _tools(result) == ["read_tag"] and "valvula_bypass_aberta" in _tags(result)
