"""`/treino` at the handler level: a trainer runs a scenario on the sandbox twin, reads a report.

The chat's callbacks run in a Chainlit HTTP context with `Message.send` captured; the clock is manual (the
scenario plays at its speed: 1 clock second = 10 simulated seconds). The live plant's reader fails the test if
anything reads it: every answer must come from the sandbox.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.services import Services
from api.users import UserDirectory
from chat_ui.setup import prepare_root
from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tools.context import ToolContext

pytestmark = pytest.mark.timeout(120)


def _live_reader(tags: Sequence[str]) -> Any:
    raise AssertionError(f"the live plant was read during training: {list(tags)[:3]}")


@pytest.fixture
def chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Any]]:
    """chat_ui.training with Chainlit's messages captured (Chainlit imported after its root is ready)."""
    prepare_root(tmp_path / "chainlit")
    import chainlit as cl

    from chat_ui import training

    sent: list[Any] = []

    async def capture(self: Any) -> Any:
        sent.append(self)
        return self

    monkeypatch.setattr(cl.Message, "send", capture)
    return training, sent


def _services(bundle: PlantBundle, clock: ManualClock) -> Services:
    tools = ToolContext(bundle=bundle, clock=clock, current=_live_reader)
    return Services(bundle=bundle, clock=clock, tools=tools, users=UserDirectory())


def _texts(sent: list[Any]) -> list[str]:
    return [str(m.content) for m in sent]


def _button(sent: list[Any], name: str) -> Any:
    return next(a for m in reversed(sent) for a in m.actions if a.name == name)


async def _flow(training: Any, sent: list[Any], svc: Services, clock: ManualClock) -> str:
    from chainlit.context import init_http_context

    init_http_context(thread_id="treino-thread")
    for role in (Role.VIEWER, Role.OPERATOR):
        await training.command(svc, "cavitacao_bomba", user=role.value, role=role)
        assert "Somente um **instrutor**" in sent[-1].content and training.current() is None
    await training.command(svc, "", user="leitor", role=Role.VIEWER)
    assert "`cavitacao_bomba`" in sent[-1].content and "`comporta_montante_travada`" in sent[-1].content

    await training.command(svc, "cavitacao_bomba ana x10", user="instrutor", role=Role.TRAINER, tick_s=0)
    assert "Treino iniciado" in sent[-1].content and "Aprendiz: **ana**" in sent[-1].content
    assert "velocidade 10×" in sent[-1].content
    clock.advance(seconds=21.0)  # sim 210 s: the pump tripped on cavitation at about 201 s
    assert await training.poll()
    assert "cavitacao_bomba" in sent[-1].content
    clock.advance(seconds=1.0)
    await training.acknowledge(_button(sent, training.ACK), user="instrutor")
    assert "cavitacao_bomba" in sent[-1].content  # the sandbox's alarm was acknowledged

    clock.advance(seconds=2.0)
    assert await training.ask("Acho que a bomba está cavitando. Qual a pressão de sucção?", user="instrutor")
    assert re.search(r"\d+[.,]\d+ bar", sent[-1].content)  # answered from the sandbox twin
    assert await training.ask("ligue a bomba principal", user="instrutor")  # interlocks refuse it
    clock.advance(seconds=1.0)
    assert await training.ask("reconheça as falhas do CLP", user="instrutor")
    assert "Aprovar (treino)" in [a.label for a in sent[-1].actions]
    await training.approve(_button(sent, training.APPROVE), user="instrutor")
    assert "executado e verificado" in sent[-1].content

    await training.command(svc, "fim", user="instrutor", role=Role.TRAINER)
    report = str(sent[-1].content)
    assert training.current() is None
    assert not await training.ask("qual o nível da câmara?", user="instrutor")  # back to the live copilot
    now_s = clock.now().timestamp()
    assert await training.debrief("a causa foi cavitação na bomba", now_s=now_s)
    assert sent[-1].content.startswith("**Correto:** a causa era `cavitacao_bomba`")
    assert await training.debrief("foi a válvula de alívio bloqueada", now_s=now_s)
    assert sent[-1].content.startswith("**Não é isso:** a causa era `cavitacao_bomba`")
    assert not await training.debrief("/alarmes", now_s=now_s)
    return report


def test_trainer_runs_a_scored_session(
    bundle: PlantBundle, chat: tuple[Any, list[Any]], plant: Plant
) -> None:
    training, sent = chat
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    report = asyncio.run(_flow(training, sent, _services(bundle, clock), clock))
    assert "Relatório do treino" in report, _texts(sent)
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", report, re.MULTILINE))
    assert rows["Aprendiz"] == "ana" and rows["Causa raiz"] == "`cavitacao_bomba`"
    assert float(rows["Primeiro alarme"].split()[0]) == pytest.approx(201.0, abs=1.0)
    assert float(rows["Reconhecimento"].split()[0]) == pytest.approx(19.0, abs=1.0)
    assert float(rows["Causa nomeada"].split()[0]) == pytest.approx(39.0, abs=1.0)
    assert rows["Ações corretas"] == "reconhecer_falhas_clp" and rows["Ações proibidas"] == "nenhuma"
    assert rows["**Nota**"] == "**100/100**"
    assert "pedido recusado ligar_bomba_principal" in report
    assert "<details>" not in report and "<summary>" not in report  # rendered markdown, no raw HTML


async def _default_speed(training: Any, svc: Services) -> float:
    from chainlit.context import init_http_context

    init_http_context(thread_id="treino-ritmo")
    sandbox = await training.begin(svc, "sobrepressao_hidraulica", trainee="ana", tick_s=0)
    speed = sandbox.session.scenario.speed
    await training.finish()
    return float(speed)


def test_a_chat_session_plays_at_a_pace_a_person_can_follow(
    bundle: PlantBundle, chat: tuple[Any, list[Any]]
) -> None:
    """The scenario file's 10x made 180 s of simulation pass in 18 s of wall time: the chat plays slower."""
    training, _ = chat
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    speed = asyncio.run(_default_speed(training, _services(bundle, clock)))
    assert speed == training.CHAT_SPEED <= 2.0


async def _to_the_end(training: Any, sent: list[Any], svc: Services, clock: ManualClock) -> bool:
    from chainlit.context import init_http_context

    init_http_context(thread_id="treino-fim")
    await training.command(svc, "nivel_camara_congelado", user="instrutor", role=Role.TRAINER, tick_s=0)
    clock.advance(seconds=3600.0)  # past the scenario's end
    return bool(await training.poll())


def test_the_scenario_end_reports(bundle: PlantBundle, chat: tuple[Any, list[Any]], plant: Plant) -> None:
    training, sent = chat
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    assert not asyncio.run(_to_the_end(training, sent, _services(bundle, clock), clock))
    assert "Fim do cenário." in _texts(sent) and "Relatório do treino" in sent[-1].content
    assert "Aprendiz | instrutor" in sent[-1].content and "nota 0/100" in sent[-1].content
