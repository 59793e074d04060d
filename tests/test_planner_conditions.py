"""Trends said as comparatives ("getting warmer"), what to do if something happens (the documents, not
the active incident), and whether a value is acceptable (the fault rules' limits), on recorded incidents."""

from __future__ import annotations

from dataclasses import replace

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Aggregate, Intent
from agent.planner.understand import understand
from agent.service import Copilot
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, store_context
from tools.ports import KnowledgeHit


@pytest.mark.parametrize(
    "question",
    ["is the oil temperature getting warmer?", "is the oil temperature getting higher?"],
)
def test_a_comparative_trend_reads_the_measurement_named(bundle: PlantBundle, question: str) -> None:
    asked = understand(question, incident_context(bundle, "hpu_oil_overtemp", 85))
    assert asked.intent is Intent.HISTORY and asked.aggregate is Aggregate.TREND
    assert asked.tags == ["temperatura_oleo_hpu"]


def test_a_portuguese_comparative_is_a_trend(bundle: PlantBundle) -> None:
    asked = understand("o nível da câmara tá ficando mais alto?", incident_context(bundle, "quiet_idle", 60))
    assert asked.aggregate is Aggregate.TREND and asked.intent is Intent.HISTORY


@pytest.mark.parametrize(
    "question",
    ["o que eu faço caso falte energia de madrugada?", "what do I do if the power goes out?"],
)
def test_what_to_do_if_something_happens_is_a_procedure(bundle: PlantBundle, question: str) -> None:
    asked = understand(question, incident_context(bundle, "quiet_idle", 60))
    assert asked.intent is Intent.PROCEDURE  # the documents, not the (calm) plant's active incident


def test_what_to_do_now_stays_what_to_do(bundle: PlantBundle) -> None:
    asked = understand("o que se faz agora?", incident_context(bundle, "hpu_oil_overtemp", 200))
    assert asked.intent is Intent.WHAT_TO_DO  # the reflexive "se" is no condition


class _PowerLossPages:
    """The power-loss procedure as a search port: its signs rank above what the operator does."""

    def search(self, query: str, *, limit: int) -> list[KnowledgeHit]:
        pages = [
            ("falta-energia#sinais", "Sinais (signs)", "A iluminação da sala apaga e o painel mostra falha."),
            ("falta-energia#automatico", "O que acontece automaticamente", "O CLP para a sequência."),
            (
                "falta-energia#operador",
                "O que o operador faz (operator actions)",
                "Confirme que o gerador de emergência partiu e avise a manutenção.",
            ),
        ]
        hits = [KnowledgeHit(id=i, document="falta-energia", heading=h, text=t) for i, h, t in pages]
        return hits[:limit]


def test_a_conditional_what_to_do_answers_from_the_passage_that_says_what_to_do(
    bundle: PlantBundle,
) -> None:
    ctx = replace(incident_context(bundle, "quiet_idle", 60), knowledge=_PowerLossPages())
    copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
    result = copilot.ask("e se faltar energia, o que eu faço?", user="ana", role=Role.OPERATOR)
    assert result.answer.startswith("Confirme que o gerador de emergência partiu")


def test_a_question_that_is_no_procedure_takes_the_best_passage(bundle: PlantBundle) -> None:
    ctx = replace(incident_context(bundle, "quiet_idle", 60), knowledge=_PowerLossPages())
    copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
    result = copilot.ask("como eu sei que faltou energia?", user="ana", role=Role.OPERATOR)
    assert "gerador" not in result.answer.split("\n")[0]


def test_whether_a_value_is_acceptable_is_said_against_the_fault_rules(bundle: PlantBundle) -> None:
    copilot = Copilot(tools=incident_context(bundle, "quiet_idle", 60), checkpointer=InMemorySaver())
    answer = copilot.ask("a vibração da bomba tá aceitável?", user="ana", role=Role.OPERATOR).answer
    first = answer.split("\n")[0]
    assert first.startswith("Vibração da bomba principal: 2,22 mm/s.")
    assert "Dentro dos limites: as regras de falha alarmam acima de 4,5 mm/s" in first


def test_an_acceptable_limit_asked_in_general_gives_the_rule_limits(bundle: PlantBundle) -> None:
    asked = understand("qual a vibração admissível da bomba principal?", incident_context(bundle))
    assert asked.limit_tags == ["vibracao_bomba"]


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("what's the first-out?", "The first to fire (first-out) was «Main pump motor overcurrent»"),
        ("qual alarme veio primeiro?", "O primeiro a disparar (first-out) foi «Sobrecorrente no motor"),
    ],
)
def test_which_alarm_came_first_names_the_first_out(bundle: PlantBundle, question: str, lead: str) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "overcurrent_then_oil_overtemp", 300), checkpointer=InMemorySaver()
    )
    result = copilot.ask(question, user="ana", role=Role.OPERATOR)
    assert result.answer.startswith(lead)  # not the PLC's first-fault code read as a number
    assert "sobrecorrente_motor_bomba" in result.answer.split("\n")[0]
    assert "rele_termico_sobrecorrente" in result.answer.split("\n")[0]  # what followed it


def test_a_calm_plant_has_no_first_out(bundle: PlantBundle) -> None:
    copilot = Copilot(tools=incident_context(bundle, "quiet_idle", 60), checkpointer=InMemorySaver())
    answer = copilot.ask("qual alarme disparou primeiro?", user="ana", role=Role.OPERATOR).answer
    assert answer.startswith("Nenhum alarme ativo agora, então não há first-out")


def test_what_first_out_means_is_no_listing(bundle: PlantBundle) -> None:
    asked = understand(
        "o que significa first-out?", incident_context(bundle, "overcurrent_then_oil_overtemp", 300)
    )
    assert asked.intent is not Intent.ACTIVE_ALARMS


def test_what_to_do_in_case_of_a_fault_is_that_faults_own(bundle: PlantBundle) -> None:
    asked = understand("o que faço em caso de cavitação?", incident_context(bundle, "quiet_idle", 60))
    assert asked.intent is Intent.WHAT_TO_DO and asked.rule == "cavitacao_bomba"


def test_a_refused_command_says_its_failing_preconditions_in_plain_words(bundle: PlantBundle) -> None:
    from commands.desk import CommandDesk
    from evals.store import SandboxPlantIO
    from evals.training_sandbox import MemoryCommandStore

    store = IncidentStore(
        IncidentLibrary(bundle.plant.incidents_dir, bundle.plant).get("cavitation_low_upstream"), bundle
    )
    store.advance_to(250)
    desk = CommandDesk(
        bundle.plant, bundle.commands, MemoryCommandStore(), SandboxPlantIO(store), store.clock
    )
    copilot = Copilot(tools=store_context(bundle, store, commands=desk), checkpointer=InMemorySaver())
    first = copilot.ask("liga a bomba principal", user="ana", role=Role.OPERATOR).answer.split("\n")[0]
    assert "nível do reservatório de montante está em 10,3 m (precisa ser > 10,5 m)" in first
    assert "cavitação da bomba principal: sim (precisa ser não)" in first
    assert "Nada foi escrito no CLP" in first


def test_the_time_left_to_equalise_says_the_level_difference_left(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "quiet_filling_and_upstream_opening", 200),
        checkpointer=InMemorySaver(),
    )
    first = copilot.ask("quanto falta pra igualar?", user="ana", role=Role.OPERATOR).answer.split("\n")[0]
    assert first.startswith("Faltam cerca de 5 min para a câmara encher")
    assert "A câmara está a 4,85 m do nível de montante." in first  # 13,49 m upstream, 8,64 m in the chamber


def test_is_that_normal_judges_the_reading_just_given(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "quiet_filling_and_upstream_opening", 60), checkpointer=InMemorySaver()
    )
    copilot.ask("corrente do motor da bomba?", user="ana", role=Role.OPERATOR, thread_id="t")
    result = copilot.ask("isso tá normal?", user="ana", role=Role.OPERATOR, thread_id="t")
    assert [c["name"] for c in result.tool_calls] == ["read_tag"]
    first = result.answer.split("\n")[0]
    assert first.startswith("Corrente do motor da bomba principal: 89,35 A. Dentro dos limites")
    english = copilot.ask("is that within the limit?", user="ana", role=Role.OPERATOR, thread_id="t")
    assert english.answer.startswith("Main pump motor current: 89.35 A. Within limits: the fault rules alarm")


def test_an_on_off_reading_says_what_the_tag_map_calls_its_value(bundle: PlantBundle) -> None:
    from tools.live import read_tag

    ctx = incident_context(bundle, "overcurrent_then_oil_overtemp", 150)
    (pump,) = read_tag(ctx, ["bomba_principal_status"]).readings
    assert pump.value is False and pump.state == "parada"
    copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
    answer = copilot.ask("is the oil cooler fan on?", user="ana", role=Role.OPERATOR).answer
    assert answer.startswith("Oil cooler fan running: no (off).")
    mode = copilot.ask("qual o modo de operação?", user="ana", role=Role.OPERATOR, thread_id="m").answer
    assert mode.startswith("Modo de operação: 2 (automático).")


def test_when_a_measurements_alarm_went_off_finds_the_rule_on_it(bundle: PlantBundle) -> None:
    copilot = Copilot(tools=incident_context(bundle, "hpu_oil_overtemp", 300), checkpointer=InMemorySaver())
    answer = copilot.ask(
        "when did the oil temperature alarm first go off?", user="ana", role=Role.OPERATOR
    ).answer
    assert answer.startswith(
        "«HPU oil temperature high» (temperatura_oleo_hpu_alta) last fired on 03/03/2025 05:01"
    )


@pytest.mark.parametrize(
    ("question", "leaves"),
    [
        ("qual a posicao de cada folha da comporta de jusante?", {"esquerda", "direita"}),
        ("posição das folhas da comporta de montante", {"esquerda", "direita"}),
    ],
)
def test_each_leaf_of_a_gate_reads_that_gates_leaves(
    bundle: PlantBundle, question: str, leaves: set[str]
) -> None:
    asked = understand(question, incident_context(bundle, "gate_jam_downstream_right_leaf", 40))
    side = "jusante" if "jusante" in question else "montante"
    assert sorted(asked.tags) == sorted(f"posicao_folha_{side}_{leaf}" for leaf in leaves)


def test_both_valves_stay_their_positions(bundle: PlantBundle) -> None:
    asked = understand(
        "as duas valvulas de enchimento tão em quanto?", incident_context(bundle, "quiet_idle", 60)
    )
    assert sorted(asked.tags) == ["posicao_valvula_enchimento_1", "posicao_valvula_enchimento_2"]


def test_which_leaf_lags_sets_the_leaves_side_by_side(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "gate_jam_downstream_right_leaf", 40), checkpointer=InMemorySaver()
    )
    lagging = copilot.ask("qual folha da comporta de jusante tá atrasada?", user="ana", role=Role.OPERATOR)
    assert lagging.answer.startswith(
        "Posição da folha direita da comporta de jusante está atrás: 0 % contra 33,11 % de posição da folha "
        "esquerda da comporta de jusante, uma diferença de 33,11 %."
    )
    assert {c["id"] for c in lagging.citations if c["kind"] == "tag"} == {
        "posicao_folha_jusante_esquerda",
        "posicao_folha_jusante_direita",
    }  # the leaves, not the gate's mean position


def test_how_far_apart_follows_the_readings_just_given(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "gate_jam_downstream_right_leaf", 40), checkpointer=InMemorySaver()
    )
    copilot.ask(
        "posição de cada folha da comporta de jusante?", user="ana", role=Role.OPERATOR, thread_id="t"
    )
    apart = copilot.ask("how far apart are they?", user="ana", role=Role.OPERATOR, thread_id="t").answer
    assert apart.startswith("Downstream gate right leaf position is behind: 0 % against 33.11 %")


def test_a_fault_named_by_its_words_is_no_comparison(bundle: PlantBundle) -> None:
    asked = understand(
        "que alarme de desalinhamento é esse na jusante?",
        incident_context(bundle, "gate_jam_downstream_right_leaf", 40),
    )
    assert not asked.compare


def test_which_valve_lags_compares_the_pair_and_names_the_alarm_comparing_them(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "valve_stuck_filling_2", 100), checkpointer=InMemorySaver()
    )
    answer = copilot.ask("which filling valve is lagging?", user="ana", role=Role.OPERATOR).answer
    assert answer.startswith("Culvert filling valve 2 position is behind: 0 % against 73.15 %")
    assert "«Filling valves out of step (valve stuck)»" in answer.split("\n")[0]


def test_why_the_gate_did_not_open_explains_its_jam(bundle: PlantBundle) -> None:
    asked = understand(
        "por que a comporta de jusante não abriu?",
        incident_context(bundle, "gate_jam_downstream_opening", 40),
    )
    assert (
        asked.intent is Intent.WHY_NOT and asked.sequence == "abertura_comporta_jusante"
    )  # not "qual manobra?"


def test_what_already_happened_is_not_the_operation_asked_about(bundle: PlantBundle) -> None:
    asked = understand(
        "já esvaziou, por que não deixa abrir a jusante?", incident_context(bundle, "quiet_idle", 60)
    )
    assert asked.sequence == "abertura_comporta_jusante"


@pytest.mark.parametrize(
    ("question", "tag"),
    [
        ("Sou da mecânica. Qual a vibração da bomba, em mm/s?", "vibracao_bomba"),
        ("Aqui é o operador da noite. Quanto tá a pressão do sistema em bar?", "pressao_sistema"),
    ],
)
def test_a_self_introduction_before_the_question_is_left_aside(
    bundle: PlantBundle, question: str, tag: str
) -> None:
    asked = understand(question, incident_context(bundle, "quiet_idle", 60))
    assert asked.intent is Intent.READ and asked.tags == [tag]


def test_whether_a_motor_current_is_normal_sets_it_against_its_rated_value(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "quiet_filling_and_upstream_opening", 600),
        checkpointer=InMemorySaver(),
    )
    answer = copilot.ask(
        "a corrente do motor da comporta de montante tá normal?", user="ana", role=Role.OPERATOR
    ).answer
    assert "A nominal é 22 A; agora 0 % dela." in answer.split("\n")[0]
