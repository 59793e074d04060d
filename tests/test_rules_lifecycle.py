"""ISA-18.2 lifecycle: every transition, shelving that expires by itself, suppression, chattering, flood,
first-out and incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.engine import RulesEngine
from rules.lifecycle import AlarmOperationError, AlarmState, EventKind
from rules.loader import load_rules, load_sequences

T0 = datetime(2025, 3, 1, tzinfo=UTC)
ESTOP = "emergencia_acionada"


class Lock:
    """A minimal live feed: a few tags set by the test, one poll per call."""

    def __init__(self, plant: Plant) -> None:
        from twin import LockTwin

        self.engine = RulesEngine(plant, load_rules(plant), load_sequences(plant), anomalies=False)
        self.t_s = 0.0
        twin = LockTwin(plant, seed=5)
        twin.step(2.0)
        self.values = {**twin.values(), "pressao_sistema_2": twin.values()["pressao_sistema"]}

    @property
    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t_s)

    def poll(self, seconds: float = 0.5, **values: object) -> list:
        self.t_s += seconds
        self.values.update(values)
        self.values["plc_heartbeat"] = (int(self.values["plc_heartbeat"]) + 1) % 32767
        batch = [Sample(t, self.now, v, Quality.GOOD, "test") for t, v in self.values.items()]
        return self.engine.evaluate(batch, self.now)

    def state(self, alarm_id: str = ESTOP) -> AlarmState:
        return self.engine.alarm(alarm_id).state


@pytest.fixture
def lock(plant: Plant) -> Lock:
    return Lock(plant)


def test_activate_ack_clear(lock: Lock) -> None:
    events = lock.poll(**{ESTOP: True})
    assert [(e.kind, e.from_state, e.to_state) for e in events if e.alarm_id == ESTOP] == [
        (EventKind.ACTIVATED, AlarmState.NORMAL, AlarmState.UNACKNOWLEDGED)
    ]
    event = lock.engine.acknowledge(ESTOP, user="ana", comment="vi", now=lock.now)
    assert (event.to_state, event.user, event.comment) == (AlarmState.ACKNOWLEDGED, "ana", "vi")
    events = lock.poll(**{ESTOP: False})
    assert events[-1].to_state is AlarmState.NORMAL and events[-1].time == lock.now


def test_return_unacknowledged_then_ack_and_reactivation(lock: Lock) -> None:
    lock.poll(**{ESTOP: True})
    lock.poll(**{ESTOP: False})
    assert lock.state() is AlarmState.RETURNED_UNACKNOWLEDGED
    lock.poll(**{ESTOP: True})
    assert lock.state() is AlarmState.UNACKNOWLEDGED
    lock.poll(**{ESTOP: False})
    lock.engine.acknowledge(ESTOP, user="ana", now=lock.now)
    assert lock.state() is AlarmState.NORMAL


def test_ack_of_a_normal_alarm_is_refused(lock: Lock) -> None:
    lock.poll()
    with pytest.raises(AlarmOperationError):
        lock.engine.acknowledge(ESTOP, user="ana", now=lock.now)
    with pytest.raises(AlarmOperationError):
        lock.engine.acknowledge("nao_existe", user="ana", now=lock.now)


def test_shelving_expires_by_itself(lock: Lock) -> None:
    lock.poll(**{ESTOP: True})
    event = lock.engine.shelve(ESTOP, for_s=60, user="ana", comment="manutenção", now=lock.now)
    assert event.to_state is AlarmState.SHELVED
    lock.poll(59.0)
    assert lock.state() is AlarmState.SHELVED
    events = lock.poll(1.0)
    expired = [e for e in events if e.kind is EventKind.SHELVE_EXPIRED]
    assert expired and expired[0].to_state is AlarmState.UNACKNOWLEDGED and expired[0].user == "system"


def test_unshelve_by_hand_and_shelve_limits(lock: Lock) -> None:
    lock.poll()
    lock.engine.shelve(ESTOP, for_s=600, user="ana", now=lock.now)
    assert lock.engine.unshelve(ESTOP, user="ana", now=lock.now).to_state is AlarmState.NORMAL
    with pytest.raises(AlarmOperationError):
        lock.engine.shelve(ESTOP, for_s=0, user="ana", now=lock.now)


def test_out_of_service_and_back(lock: Lock) -> None:
    lock.poll(**{ESTOP: True})
    assert (
        lock.engine.remove_from_service(ESTOP, user="ana", comment="troca", now=lock.now).to_state
        is AlarmState.OUT_OF_SERVICE
    )
    with pytest.raises(AlarmOperationError):
        lock.engine.shelve(ESTOP, for_s=60, user="ana", now=lock.now)
    assert (
        lock.engine.return_to_service(ESTOP, user="ana", now=lock.now).to_state is AlarmState.UNACKNOWLEDGED
    )


def test_suppressed_by_design_while_the_pump_is_stopped(lock: Lock) -> None:
    lock.poll(bomba_principal_status=False)
    lock.poll(pressao_sistema=3.0, pressao_sistema_2=3.0)
    lock.poll(16.0)
    assert lock.state("sistema_despressurizado") is AlarmState.SUPPRESSED
    events = lock.poll(bomba_principal_status=True)
    kinds = [e.kind for e in events if e.alarm_id == "sistema_despressurizado"]
    assert EventKind.UNSUPPRESSED in kinds
    assert lock.state("sistema_despressurizado") is AlarmState.UNACKNOWLEDGED


def test_a_suppressed_activation_never_leads_an_incident(lock: Lock) -> None:
    lock.poll(bomba_principal_status=False, pressao_sistema=3.0, pressao_sistema_2=3.0)
    lock.poll(16.0)
    alarm = lock.engine.alarm("sistema_despressurizado")
    assert alarm.active and alarm.state is AlarmState.SUPPRESSED
    assert alarm.incident_id is None and not alarm.first_out
    lock.poll(bomba_principal_status=True)
    assert alarm.incident_id is not None and alarm.first_out, "annunciated from now on: it leads"


def test_gate_overcurrent_with_leaves_out_of_step_is_the_misalignments_effect(lock: Lock) -> None:
    position = 0.0
    for i in range(16):
        position += 0.5
        gap = 8.0 if i >= 2 else 0.0  # the left leaf stops 1 s after the overcurrent starts
        lock.poll(
            motor_comporta_jusante_ligado=True,
            corrente_motor_comporta_jusante=40.0,
            posicao_comporta_jusante=position,
            posicao_folha_jusante_esquerda=position * 2 - gap,
            posicao_folha_jusante_direita=position * 2,
        )
    overcurrent = lock.engine.alarm("sobrecorrente_motor_comporta_jusante")
    leaves = lock.engine.alarm("desalinhamento_folhas_comporta_jusante")
    assert overcurrent.active and leaves.active
    assert overcurrent.activated_at is not None and leaves.activated_at is not None
    assert overcurrent.activated_at < leaves.activated_at, "the effect's delay ends first"
    assert overcurrent.state is AlarmState.SUPPRESSED and not overcurrent.first_out
    assert leaves.first_out and overcurrent.incident_id == leaves.incident_id
    incident = lock.engine.book.correlator.incident(leaves.incident_id or "")
    assert incident is not None and incident.probable_cause == leaves.id


def test_chattering_after_three_activations_in_a_minute(lock: Lock) -> None:
    kinds = []
    for _ in range(3):
        kinds += [e.kind for e in lock.poll(5.0, **{ESTOP: True})]
        lock.poll(5.0, **{ESTOP: False})
    assert EventKind.CHATTERING in kinds
    assert lock.engine.alarm(ESTOP).chattering
    events = lock.poll(61.0)
    assert EventKind.CHATTERING_ENDED in [e.kind for e in events]


def test_flood_over_ten_alarms_in_ten_minutes(lock: Lock) -> None:
    kinds = []
    for _ in range(11):
        kinds += [e.kind for e in lock.poll(20.0, **{ESTOP: True})]
        lock.poll(20.0, **{ESTOP: False})
    assert EventKind.FLOOD_STARTED in kinds
    ended = [e.kind for e in lock.poll(700.0)]
    assert EventKind.FLOOD_ENDED in ended


def test_first_out_goes_to_the_declared_cause_on_a_tie(lock: Lock) -> None:
    lock.poll(**{ESTOP: True, "sequencia_em_falha": True})
    estop, seq = lock.engine.alarm(ESTOP), lock.engine.alarm("sequencia_em_falha")
    assert estop.first_out and not seq.first_out
    assert estop.incident_id == seq.incident_id
    incident = lock.engine.book.correlator.incident(estop.incident_id or "")
    assert incident is not None and incident.root == ESTOP and incident.probable_cause == ESTOP


def test_untrusted_input_holds_the_rule_and_raises_data_quality(plant: Plant) -> None:
    lock = Lock(plant)
    lock.poll(**{ESTOP: True})
    lock.t_s += 0.5
    events = lock.engine.evaluate([Sample(ESTOP, lock.now, False, Quality.BAD, "test")], lock.now)
    assert lock.engine.alarm(ESTOP).active, "never clear on data that cannot be trusted"
    assert any(e.alarm_id == f"qualidade_dados.{ESTOP}" and e.kind is EventKind.ACTIVATED for e in events)
