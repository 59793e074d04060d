"""An order may come after what the operator says first ("o barco já saiu. manda fechar a de baixo",
"Levels are equalised. Open the downstream gate again."), point back at what that first clause named
("a enchimento 1 ficou escancarada, fecha ela"), or be said the site's way ("derruba a bomba", "bora abrir",
"pode mandar o reset das falhas"). A sentence that asks ("What does the PLC do? Stop the pump, open the
bypass?") orders nothing; the command guard reads every order as the planner does."""

from __future__ import annotations

import pytest

from agent.guard import asked_by_user
from agent.planner.lexical import order_in_site_words
from agent.planner.question import Intent
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    ("message", "command"),
    [
        ("o barco já saiu. manda fechar a de baixo", "fechar_comporta_jusante"),
        ("The vessel is clear of the lock. Please close the upstream gate.", "fechar_comporta_montante"),
        ("Levels are equalised. Open the downstream gate again.", "abrir_comporta_jusante"),
        ("a enchimento 1 ficou escancarada depois do ciclo, fecha ela", "fechar_valvula_enchimento_1"),
        ("segura essa comporta de montante aí, para ela já!", "parar_comporta_montante"),
        ("derruba a bomba principal que essa pressão não para de subir", "desligar_bomba_principal"),
        ("bora abrir a válvula de enchimento 1", "abrir_valvula_enchimento_1"),
        ("pode mandar o reset das falhas do CLP", "reconhecer_falhas_clp"),
    ],
)
def test_an_order_after_a_statement_or_in_site_words_is_the_order(
    bundle: PlantBundle, message: str, command: str
) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(message)
    assert q.intent is Intent.COMMAND and q.command == command, q
    assert asked_by_user(command, None, message, book=bundle.commands, plant=bundle.plant)


@pytest.mark.parametrize(
    "message",
    [
        "What does the PLC do? Stop the pump, open the bypass?",
        "quais as ações do clp na cavitação? parar a bomba e abrir o bypass?",
        "a comporta não abre. o que eu faço?",
        "O CLP mandou abrir a by-pass. Por quê?",
        "vou desligar a bomba, tudo bem?",
        "Tenho que fechar a comporta? Ou espero?",
        "Para o relatório. Qual a pressão?",
    ],
)
def test_a_sentence_that_asks_orders_nothing(bundle: PlantBundle, message: str) -> None:
    assert order_in_site_words(message, bundle.commands, bundle.plant) is None
    assert understander(incident_context(bundle, "quiet_idle", 60))(message).intent is not Intent.COMMAND
