"""What is true at one second of a recorded incident: tag values, active alarms, running sequence, checks.

The same IncidentStore and rules engine the eval harness uses, so a case's expectations can be checked
against exactly what the copilot's tools see at the case's `at_s` (`lockpilot incidents show`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evals.incident import Incident
from evals.store import IncidentStore
from rules.bundle import PlantBundle
from rules.model import SequenceDef
from storage.current import CurrentValue
from tools.ports import AlarmView, SequenceCheckView


@dataclass
class RunningSequence:
    """The sequence the PLC reports running (sequencia_ativa), and its step (passo_sequencia)."""

    id: str
    code: int
    name_pt: str
    step: int
    step_name_pt: str


@dataclass
class Moment:
    """An incident at `at_s`, as the tools would read it."""

    incident: str
    at_s: float
    duration_s: float
    root_cause: str | None
    signature_s: float | None
    values: dict[str, CurrentValue | None]
    alarms: list[AlarmView]
    sequence: RunningSequence | None
    checks: dict[str, SequenceCheckView] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        """before / at / after the root cause's signature (quiet incidents: "normal")."""
        if self.signature_s is None:
            return "normal"
        if self.at_s < self.signature_s:
            return "before"
        return "at" if self.at_s <= self.signature_s + 15 else "after"

    def value(self, tag: str) -> Any:
        """The stored value of a tag (None when never read)."""
        current = self.values.get(tag)
        return None if current is None else current.value

    def active_ids(self) -> set[str]:
        """Ids of the alarms that are active now (any ISA-18.2 state but normal)."""
        return {a.rule_id for a in self.alarms}

    def first_out(self) -> str | None:
        """The rule id flagged first-out among the active alarms."""
        return next((a.rule_id for a in self.alarms if a.first_out), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "at_s": self.at_s,
            "duration_s": self.duration_s,
            "root_cause": self.root_cause,
            "signature_s": self.signature_s,
            "phase": self.phase,
            "sequence": None if self.sequence is None else self.sequence.__dict__,
            "alarms": [
                {
                    "id": a.rule_id,
                    "state": a.state,
                    "priority": a.priority,
                    "first_out": a.first_out,
                    "since": a.since.isoformat() if a.since else None,
                }
                for a in self.alarms
            ],
            "values": {
                t: None if c is None else {"value": c.value, "unit": c.unit, "quality": c.quality.value}
                for t, c in self.values.items()
            },
            "checks": {
                s: {"permitted": v.permitted, "failing": [p.id for p in v.preconditions if not p.passed]}
                for s, v in self.checks.items()
            },
        }


def _running(
    sequences: Mapping[str, SequenceDef], values: dict[str, CurrentValue | None]
) -> RunningSequence | None:
    code_value, step_value = values.get("sequencia_ativa"), values.get("passo_sequencia")
    code = int(code_value.value) if code_value is not None and code_value.value is not None else 0
    if code == 0:
        return None
    seq = next((s for s in sequences.values() if s.code == code), None)
    if seq is None:
        return None
    step = int(step_value.value) if step_value is not None and step_value.value is not None else 0
    step_def = next((s for s in seq.steps if s.step == step), None)
    return RunningSequence(seq.id, code, seq.name.pt, step, step_def.name.pt if step_def else "")


def moment_of(store: IncidentStore, *, at_s: float) -> Moment:
    """Advance a store to `at_s` and read everything a case may expect there."""
    store.advance_to(at_s)
    plant, incident = store.plant, store.incident
    values = dict(store.current(list(plant.tags)))
    sequences = store.sequence_desk
    checks = {s.id: sequences.check(s.id) for s in sequences.sequences()}
    truth = incident.scenario.truth
    return Moment(
        incident=incident.id,
        at_s=at_s,
        duration_s=incident.duration_s,
        root_cause=truth.root_cause if truth else None,
        signature_s=incident.signature_s(),
        values=values,
        alarms=store.rules.active(),
        sequence=_running(store.bundle.sequences, values),
        checks=checks,
    )


def moment(incident: Incident, bundle: PlantBundle, *, at_s: float) -> Moment:
    """An incident at `at_s`, replayed on a fresh store."""
    return moment_of(IncidentStore(incident, bundle), at_s=at_s)
