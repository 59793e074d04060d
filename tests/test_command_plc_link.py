"""The command path when the PLC does not answer: refused at request, aborted at execution, never written."""

from __future__ import annotations

from datetime import UTC, datetime

from api.users import UserDirectory
from commands.desk import CommandDesk, Outcome
from commands.execute import execute
from commands.plantio import S7PlantIO
from commands.store import CommandStatus, CommandStore
from lockpilot.clock import ManualClock
from lockpilot.net import free_port
from lockpilot.plant import Plant
from lockpilot.roles import Role
from storage.migrate import migrate
from tests.agent_stack import wait_for
from twin import Fault, LockTwin, TwinServer

COMMAND = "abrir_valvula_enchimento_1"


def _desk(plant: Plant, pg_url: str, port: int) -> CommandDesk:
    migrate(pg_url)
    io = S7PlantIO(plant, host="127.0.0.1", port=port, timeout_s=1.0)
    clock = ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    users = UserDirectory(database_url=pg_url)
    users.add("ana", role=Role.OPERATOR)  # approvals ask the directory
    return CommandDesk(plant, plant.commands, CommandStore(pg_url), io, clock, approvers=users)


def test_request_is_refused_clearly_when_the_plc_does_not_answer(plant: Plant, pg_url: str) -> None:
    desk = _desk(plant, pg_url, free_port())  # nothing listens there
    outcome = desk.request(COMMAND, user="ana", role=Role.OPERATOR, thread_id="cli:ana")
    assert outcome.outcome is Outcome.REFUSED
    assert outcome.reason == "plc_unreachable"
    assert "did not answer" in outcome.details["error"]


def test_approved_command_aborts_without_writing_when_the_plc_is_gone(plant: Plant, pg_url: str) -> None:
    port = free_port()
    twin = LockTwin(plant, seed=1)
    server = TwinServer(twin, port=port)
    server.start()
    try:
        desk = _desk(plant, pg_url, port)
        pending = desk.request(COMMAND, user="ana", role=Role.OPERATOR, thread_id="cli:ana")
        assert pending.outcome is Outcome.PENDING, pending
        assert pending.command_id is not None
        assert desk.approve(pending.command_id, user="ana").outcome is Outcome.APPROVED
        with server.lock:
            twin.inject(Fault.PLC_LINK_LOSS, duration_s=60)  # the PLC stops answering, its port stays open
        assert wait_for(lambda: server._server.silent.is_set(), timeout_s=5)
        outcome = execute(desk, pending.command_id, sleep=lambda _s: None)
    finally:
        server.stop()
    assert outcome.outcome is Outcome.ABORTED
    assert "plc_unreachable" in outcome.details
    record = desk.store.get(pending.command_id)
    assert record is not None and record.status is CommandStatus.ABORTED
    assert twin.values()["valvula_enchimento_1_aberta"] is False
    assert twin.values()["comando_abrir_valvula_enchimento_1"] is False
