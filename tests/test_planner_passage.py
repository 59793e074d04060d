"""The part of a document passage that answers the question, in the user's language."""

from __future__ import annotations

from agent.planner.passage import answer_from
from lockpilot.language import Language

STEPS = """## Depois da emergência (after the stop)
1. Resolva a situação que causou a parada.
2. Destrave a botoeira que foi pressionada (girar para
   soltar).
3. Reconheça as falhas no CLP (`comando_reconhecer_falhas`).
"""

RULE = """## Causa e consequência (cause and consequence)
Regra `vento`, equipamento `eclusa`, severidade baixa.
Velocidade do vento acima do limite de operação das comportas.
Causa: Condição meteorológica com rajadas
fortes sobre as folhas.
EN: Wind speed above the gates' operating limit. Cause: Weather with strong gusts.
"""


def test_a_procedure_question_gets_every_step_in_order() -> None:
    said = answer_from(STEPS, "depois da emergência, como volto a operar?", Language.PT)
    assert (
        said.startswith("1. Resolva")
        and "2. Destrave a botoeira que foi pressionada (girar para soltar)" in said
    )
    assert "3. Reconheça as falhas no CLP (comando_reconhecer_falhas)." in said  # no Markdown code marks


def test_the_sentence_that_shares_the_question_words_is_chosen_whole() -> None:
    said = answer_from(RULE, "qual a causa? rajadas?", Language.PT)
    assert said == "Causa: Condição meteorológica com rajadas fortes sobre as folhas."


def test_an_english_question_gets_the_english_part() -> None:
    said = answer_from(RULE, "what is the cause of the wind alarm?", Language.EN)
    assert "Cause: Weather with strong gusts." in said and "Causa" not in said
