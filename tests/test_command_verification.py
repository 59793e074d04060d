"""Every command of the allow-list against the twin: verified only when the field reaches the end state.

Each command is requested, approved and executed twice on an in-process twin stepped in simulated time:
once the field follows ("executado e verificado"), once it cannot (a stuck valve, a jammed gate, a lost
output, the fault's cause still there) and the verdict says what was seen ("escrito, mas o campo não
confirmou: ... subiu de ... para ..."), with `comando_nao_confirmado` raised carrying the command id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.s7 import WriteResult
from commands.desk import CommandDesk, Outcome
from commands.execute import UNCONFIRMED_ALARM, execute
from commands.identity import FixedRole
from commands.store import CommandStore
from lockpilot.clock import ManualClock
from lockpilot.errors import PlantDataErrors
from lockpilot.plant import Plant, load_plant
from lockpilot.roles import Role
from lockpilot.samples import Quality, Sample, Value
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import AlarmState
from rules.runner import RulesRunner
from rules.store import RedisActionSource, report_event
from storage.migrate import migrate
from tests.conftest import REPO_ROOT, wait_for
from twin import Fault, LockTwin
from twin.equipment import Sequence as Seq

Setup = Callable[[LockTwin], None]


class TwinIO:
    """The command path's PlantIO over an in-process twin (what the S7 link reads and writes)."""

    def __init__(self, twin: LockTwin) -> None:
        self.twin = twin

    def read(self, tags: Sequence[str]) -> dict[str, Sample]:
        values = self.twin.values()
        now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
        return {t: Sample(t, now, values[t], Quality.GOOD, "twin") for t in tags}

    def write(self, tag: str, value: Value) -> WriteResult:
        self.twin.command(tag, value)
        back = self.twin.values()[tag]
        return WriteResult(tag=tag, written=value, read_back=back, verified=back == value)


@pytest.fixture(scope="module")
def store(pg_url: str) -> CommandStore:
    migrate(pg_url)
    return CommandStore(pg_url)


def _press(tag: str, value: Value = True, *, then_s: float = 2.0) -> Setup:
    def run(twin: LockTwin) -> None:
        twin.command(tag, value)
        twin.step(then_s)

    return run


def _steps(*setups: Setup) -> Setup:
    def run(twin: LockTwin) -> None:
        for setup in setups:
            setup(twin)

    return run


def _inject(fault: Fault, **params: float | str) -> Setup:
    return lambda twin: twin.inject(fault, **params)


def _lost(command_tag: str) -> Setup:
    return _inject(Fault.COMMAND_LOST, command=command_tag)


def _drift_latched(twin: LockTwin) -> None:
    """A drifting chamber level transmitter: the PLC latches the discrepancy fault."""
    twin.inject(Fault.LEVEL_SENSOR_DRIFT, rate_m_min=0.5)
    twin.run_until(lambda t: bool(t.values()["alarme_geral"]), timeout_s=300)


def _drift_gone(twin: LockTwin) -> None:
    _drift_latched(twin)
    twin.clear(Fault.LEVEL_SENSOR_DRIFT)
    twin.step(30.0)


UPSTREAM_M = 13.5  # the chamber at the upstream pool: the upstream gate may open
# command -> (chamber level, set-up before the request, what makes the field not follow, value)
CASES: dict[str, tuple[float | None, Setup | None, Setup, float | None]] = {
    "ligar_bomba_principal": (
        None,
        _press("comando_desligar_bomba_principal", then_s=20),
        _lost("comando_ligar_bomba_principal"),
        None,
    ),
    "desligar_bomba_principal": (None, None, _lost("comando_desligar_bomba_principal"), None),
    "ajustar_velocidade_bomba": (None, None, _lost("setpoint_velocidade_bomba"), 75.0),
    "abrir_valvula_enchimento_1": (None, None, _inject(Fault.VALVE_STUCK_FILLING, valve=1), None),
    "fechar_valvula_enchimento_1": (
        None,
        _press("comando_abrir_valvula_enchimento_1", then_s=15),
        _inject(Fault.VALVE_STUCK_FILLING, valve=1),
        None,
    ),
    "abrir_valvula_enchimento_2": (None, None, _inject(Fault.VALVE_STUCK_FILLING, valve=2), None),
    "fechar_valvula_enchimento_2": (
        None,
        _press("comando_abrir_valvula_enchimento_2", then_s=15),
        _inject(Fault.VALVE_STUCK_FILLING, valve=2),
        None,
    ),
    "abrir_valvula_esvaziamento_1": (UPSTREAM_M, None, _lost("comando_abrir_valvula_esvaziamento_1"), None),
    "fechar_valvula_esvaziamento_1": (
        UPSTREAM_M,
        _press("comando_abrir_valvula_esvaziamento_1", then_s=15),
        _lost("comando_fechar_valvula_esvaziamento_1"),
        None,
    ),
    "abrir_valvula_esvaziamento_2": (UPSTREAM_M, None, _lost("comando_abrir_valvula_esvaziamento_2"), None),
    "fechar_valvula_esvaziamento_2": (
        UPSTREAM_M,
        _press("comando_abrir_valvula_esvaziamento_2", then_s=15),
        _lost("comando_fechar_valvula_esvaziamento_2"),
        None,
    ),
    "abrir_comporta_montante": (UPSTREAM_M, None, _inject(Fault.GATE_JAM_UPSTREAM), None),
    "fechar_comporta_montante": (
        UPSTREAM_M,
        _press("comando_abrir_comporta_montante", then_s=100),
        _inject(Fault.GATE_JAM_UPSTREAM),
        None,
    ),
    "parar_comporta_montante": (
        UPSTREAM_M,
        _press("comando_abrir_comporta_montante", then_s=10),
        _lost("comando_parar_comporta_montante"),
        None,
    ),
    "abrir_comporta_jusante": (None, None, _inject(Fault.GATE_JAM_DOWNSTREAM), None),
    "fechar_comporta_jusante": (
        None,
        _press("comando_abrir_comporta_jusante", then_s=100),
        _inject(Fault.GATE_JAM_DOWNSTREAM),
        None,
    ),
    "parar_comporta_jusante": (
        None,
        _press("comando_abrir_comporta_jusante", then_s=10),
        _lost("comando_parar_comporta_jusante"),
        None,
    ),
    "abrir_valvula_bypass": (None, None, _lost("comando_abrir_valvula_bypass"), None),
    "fechar_valvula_bypass": (
        None,
        _press("comando_abrir_valvula_bypass", then_s=10),
        _lost("comando_fechar_valvula_bypass"),
        None,
    ),
    "abrir_valvula_alivio": (None, None, _lost("comando_abrir_valvula_alivio"), None),
    "fechar_valvula_alivio": (
        None,
        _press("comando_abrir_valvula_alivio", then_s=10),
        _lost("comando_fechar_valvula_alivio"),
        None,
    ),
    # acknowledging while the cause is still there: the fault latches again
    "reconhecer_falhas_clp": (None, _drift_gone, _drift_latched, None),
    "abortar_sequencia": (
        None,
        _press("comando_iniciar_sequencia", int(Seq.ESVAZIAMENTO), then_s=5),
        _lost("comando_abortar_sequencia"),
        None,
    ),
    "ligar_ventilador_resfriador_oleo": (None, None, _lost("comando_ventilador_resfriador_oleo"), None),
    "desligar_ventilador_resfriador_oleo": (
        None,
        _press("comando_ventilador_resfriador_oleo", True, then_s=5),
        _lost("comando_ventilador_resfriador_oleo"),
        None,
    ),
}


def _run(
    plant: Plant, store: CommandStore, command: str, *, follows: bool
) -> tuple[Any, list[tuple[str, dict[str, Any]]], LockTwin]:
    chamber, setup, spoil, value = CASES[command]
    twin = LockTwin(plant, seed=3, chamber_m=chamber)
    twin.step(5.0)
    if command == "reconhecer_falhas_clp" and not follows:
        spoil(twin)  # latched with its cause still there when the reset is asked for
    elif setup is not None:
        setup(twin)
    raised: list[tuple[str, dict[str, Any]]] = []
    desk = CommandDesk(
        plant,
        plant.commands,
        store,
        TwinIO(twin),
        ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC)),
        on_unconfirmed=lambda alarm_id, values: raised.append((alarm_id, values)),
        approvers=FixedRole(Role.OPERATOR),  # identity is tests/security's subject
    )
    pending = desk.request(command, value, user="ana", role=Role.OPERATOR, thread_id="test:ana")
    assert pending.outcome is Outcome.PENDING, pending
    assert pending.command_id is not None
    assert desk.approve(pending.command_id, user="ana").outcome is Outcome.APPROVED
    if not follows and command != "reconhecer_falhas_clp":
        spoil(twin)
    outcome = execute(
        desk, pending.command_id, poll_s=0.5, sleep=twin.step, monotonic=lambda: twin.sim_time_s
    )
    return outcome, raised, twin


@pytest.mark.parametrize("command", sorted(CASES))
def test_each_command_is_verified_only_at_its_end_state(
    plant: Plant, store: CommandStore, command: str
) -> None:
    assert {c.id for c in plant.commands.commands} == set(CASES), "a case per command of the allow-list"
    done, raised, _ = _run(plant, store, command, follows=True)
    assert done.outcome is Outcome.VERIFIED, done.details
    assert done.details["verdict_pt"].startswith("executado e verificado: "), done.details["verdict_pt"]
    assert raised == []

    failed, raised, _ = _run(plant, store, command, follows=False)
    assert failed.outcome is Outcome.FAILED, failed.details
    verdict = failed.details["verdict_pt"]
    assert verdict.startswith("escrito, mas o campo não confirmou: "), verdict
    assert "executado e verificado" not in verdict
    assert raised == [
        (
            UNCONFIRMED_ALARM,
            {
                "command_id": failed.command_id,
                "command": command,
                "verdict_pt": verdict,
                "verdict_en": failed.details["verdict_en"],
            },
        )
    ]


def _twin_desk(plant: Plant, store: CommandStore, twin: LockTwin) -> CommandDesk:
    """A desk on the twin, approvals by an operator (identity is tests/security's subject)."""
    return CommandDesk(
        plant,
        plant.commands,
        store,
        TwinIO(twin),
        ManualClock(datetime(2026, 11, 24, tzinfo=UTC)),
        approvers=FixedRole(Role.OPERATOR),
    )


def test_a_valve_the_running_sequence_drives_is_refused_with_abort_first(
    plant: Plant, store: CommandStore
) -> None:
    """The issue's case: closing filling valve 1 during the automatic fill; the PLC would reopen it."""
    twin = LockTwin(plant, seed=3)
    twin.command("comando_iniciar_sequencia", int(Seq.ENCHIMENTO))
    twin.run_until(lambda t: float(t.values()["posicao_valvula_enchimento_1"]) > 20, timeout_s=600)
    desk = _twin_desk(plant, store, twin)
    refused = desk.request("fechar_valvula_enchimento_1", user="ana", role=Role.OPERATOR, thread_id="t")
    assert refused.outcome is Outcome.REFUSED
    assert refused.details["overridden_by"] == "enchimento"
    failing = [p for p in refused.details["preconditions"] if not p["passed"]]
    assert len(failing) == 1 and "abortar a sequência primeiro (abortar_sequencia)" in failing[0]["condition"]
    # aborting is offered and allowed; after it the close is accepted
    assert (
        desk.request("abortar_sequencia", user="ana", role=Role.OPERATOR, thread_id="t").outcome
        is Outcome.PENDING
    )
    twin.command("comando_abortar_sequencia", True)
    twin.step(1.0)
    accepted = desk.request("fechar_valvula_enchimento_1", user="ana", role=Role.OPERATOR, thread_id="t")
    assert accepted.outcome is Outcome.PENDING, accepted


def test_a_stop_during_a_sequence_aborts_it_and_is_verified(plant: Plant, store: CommandStore) -> None:
    """An operator's stop has priority: asked while the PLC opens the gate, the PLC aborts the sequence."""
    twin = LockTwin(plant, seed=3, chamber_m=13.5)
    twin.step(5.0)
    twin.command("comando_iniciar_sequencia", int(Seq.ABERTURA_COMPORTA_MONTANTE))
    twin.run_until(lambda t: float(t.values()["posicao_comporta_montante"]) > 20, timeout_s=600)
    desk = _twin_desk(plant, store, twin)
    pending = desk.request("parar_comporta_montante", user="ana", role=Role.OPERATOR, thread_id="t")
    assert pending.outcome is Outcome.PENDING, pending
    assert pending.command_id is not None
    desk.approve(pending.command_id, user="ana")
    done = execute(desk, pending.command_id, poll_s=0.5, sleep=twin.step, monotonic=lambda: twin.sim_time_s)
    assert done.outcome is Outcome.VERIFIED, done.details
    at = float(twin.values()["posicao_comporta_montante"])
    twin.step(10.0)
    values = twin.values()
    assert int(values["sequencia_ativa"]) == 0 and float(values["posicao_comporta_montante"]) == at


def test_wrong_way_is_told_with_the_values_seen(plant: Plant, store: CommandStore) -> None:
    """A valve that opens while it was told to close: the verdict quotes where it went, at once."""
    twin = LockTwin(plant, seed=3)
    twin.command("comando_abrir_valvula_enchimento_1", True)
    twin.step(10.0)
    desk = _twin_desk(plant, store, twin)
    pending = desk.request("fechar_valvula_enchimento_1", user="ana", role=Role.OPERATOR, thread_id="t")
    assert pending.command_id is not None
    desk.approve(pending.command_id, user="ana")
    twin.inject(Fault.COMMAND_LOST, command="comando_fechar_valvula_enchimento_1")
    started = twin.sim_time_s
    failed = execute(desk, pending.command_id, poll_s=0.5, sleep=twin.step, monotonic=lambda: twin.sim_time_s)
    assert failed.outcome is Outcome.FAILED
    verdict = failed.details["verdict_pt"]
    assert "posição da válvula de enchimento 1 do aqueduto subiu de " in verdict, verdict
    assert "no sentido contrário ao esperado (válvula fechada)" in verdict
    assert "," in verdict.split("subiu de ")[1].split(" %")[0]  # decimal comma
    assert twin.sim_time_s - started < 10, "a move the wrong way fails without waiting for the timeout"


COMMANDS_HEAD = (
    "equipment:\n  valvula: {pt: v, en: v, status_tags: [posicao_valvula_enchimento_1]}\ncommands:\n"
)
BAD_FEEDBACK = """\
  - id: fechar
    action: close
    target: valvula
    tag: comando_fechar_valvula_enchimento_1
    value: true
    feedback:
      expect: {pt: fechada, en: closed}
      any:
        - {tag: posicao_valvula_enchimento_1, changes_by: 0.5}
    risk: {pt: r, en: r}
"""


def test_a_change_condition_without_direction_is_refused_at_load(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "plants"
    shutil.copytree(REPO_ROOT / "plants" / "lock", root / "lock")
    (root / "lock" / "commands.yaml").write_text(COMMANDS_HEAD + BAD_FEEDBACK, encoding="utf-8")
    with pytest.raises(PlantDataErrors) as caught:
        load_plant("lock", root=root)
    error = caught.value.errors[0]
    assert "must name its direction" in error.reason
    assert error.line == 12 and "commands.0.feedback" in error.field


def test_an_unconfirmed_command_reaches_the_alarm_book_with_its_id(
    bundle: PlantBundle, redis_url: str
) -> None:
    """Any process queues the event; the live runner raises it and hands it to its writers."""
    written: list[Any] = []

    class Writer:
        def write(self, events: Sequence[Any], alarms: Sequence[Any]) -> None:
            written.extend(events)

    engine = RulesEngine.for_bundle(bundle, anomalies=False)
    runner = RulesRunner(
        engine,
        clock=ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC)),
        actions=RedisActionSource(redis_url, "lock"),
        writers=[Writer()],
        tick_s=0.05,
    )
    runner.start()
    try:
        now = datetime(2026, 11, 24, 3, 0, 5, tzinfo=UTC)
        report_event(redis_url, "lock", UNCONFIRMED_ALARM, values={"command_id": "cmd-abc"}, now=now)
        assert wait_for(lambda: len(written) == 2, timeout_s=10.0)
    finally:
        runner.stop()
    alarm = engine.alarm(UNCONFIRMED_ALARM)
    assert alarm.state is AlarmState.RETURNED_UNACKNOWLEDGED  # stays until an operator acknowledges
    assert [e.values["command_id"] for e in written] == ["cmd-abc", "cmd-abc"]
    assert alarm.defn.priority.value == "high"
