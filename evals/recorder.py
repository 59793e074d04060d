"""Play a scenario on the twin, fast-forwarded; keep what a collector would have stored, and the events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from evals.signatures import FAULT_RULES, SIGNATURES, SignatureWatch
from lockpilot.plant import Plant
from lockpilot.samples import Value
from twin import LockTwin
from twin.equipment import FaultCode
from twin.scenario import Scenario, Step, apply_step

TICK_S = 0.5  # the collector's poll period: one recorded row per tick
_FLAGS = (
    "falha_cavitacao_bomba",
    "falha_sobrepressao_sistema",
    "falha_travamento_comporta_montante",
    "falha_travamento_comporta_jusante",
    "falha_sobrecorrente_motor",
    "falha_temperatura_oleo",
)


class EventKind(StrEnum):
    """What the events file records."""

    OPERATION = "operation"
    INJECT = "inject"
    CLEAR = "clear"
    PLC_FAULT = "plc_fault"
    PLC_FAULT_CLEARED = "plc_fault_cleared"
    FIRST_OUT = "first_out"
    SEQUENCE_STARTED = "sequence_started"
    SEQUENCE_ENDED = "sequence_ended"
    SEQUENCE_FAILED = "sequence_failed"
    PUMP_STARTED = "pump_started"
    PUMP_STOPPED = "pump_stopped"
    LINK_DOWN = "link_down"
    LINK_UP = "link_up"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, at a time in seconds from the start of the scenario."""

    t_s: float
    kind: EventKind
    name: str
    detail: str = ""


@dataclass
class Recording:
    """Every tick of a run: values, link state, events and when the injected faults became evident."""

    scenario: Scenario
    times_s: list[float] = field(default_factory=list)
    rows: list[dict[str, Value]] = field(default_factory=list)
    link_down: list[bool] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    signatures: dict[str, float] = field(default_factory=dict)  # rule id -> signature time


def twin_for(scenario: Scenario, plant: Plant) -> LockTwin:
    """A fresh twin in the scenario's initial state."""
    return LockTwin(plant, seed=scenario.seed, params=scenario.params or None, chamber_m=scenario.chamber_m)


def _plc_events(t_s: float, before: dict[str, Any], now: dict[str, Any]) -> list[Event]:
    """Events visible in the PLC's status words between two ticks."""
    out = [
        Event(t_s, EventKind.PLC_FAULT if now[f] else EventKind.PLC_FAULT_CLEARED, f)
        for f in _FLAGS
        if bool(now[f]) != bool(before[f])
    ]
    if now["codigo_primeira_falha"] != before["codigo_primeira_falha"] and now["codigo_primeira_falha"]:
        out.append(Event(t_s, EventKind.FIRST_OUT, FaultCode(int(now["codigo_primeira_falha"])).name.lower()))
    if now["sequencia_ativa"] != before["sequencia_ativa"]:
        kind = EventKind.SEQUENCE_STARTED if now["sequencia_ativa"] else EventKind.SEQUENCE_ENDED
        out.append(Event(t_s, kind, str(now["sequencia_ativa"] or before["sequencia_ativa"])))
    if now["sequencia_em_falha"] and not before["sequencia_em_falha"]:
        out.append(Event(t_s, EventKind.SEQUENCE_FAILED, "sequencia_em_falha"))
    if now["bomba_principal_status"] != before["bomba_principal_status"]:
        kind = EventKind.PUMP_STARTED if now["bomba_principal_status"] else EventKind.PUMP_STOPPED
        out.append(Event(t_s, kind, "bomba_principal"))
    return out


def _step_event(t_s: float, step: Step) -> Event:
    if step.inject is not None:
        return Event(t_s, EventKind.INJECT, step.inject.value, step.describe())
    if step.clear is not None:
        return Event(t_s, EventKind.CLEAR, step.clear.value)
    return Event(t_s, EventKind.OPERATION, step.describe())


class Recorder:
    """Runs a scenario tick by tick; `on_tick` lets a caller (a training session) look at every tick."""

    def __init__(self, scenario: Scenario, plant: Plant, *, twin: LockTwin | None = None) -> None:
        self.scenario, self.plant = scenario, plant
        self.twin = twin or twin_for(scenario, plant)
        self.recording = Recording(scenario)
        self._pending = sorted(scenario.timeline, key=lambda s: s.at_s)
        self._watches: list[SignatureWatch] = []
        self._last: dict[str, Any] | None = None
        self._link_was_down = False

    @property
    def t_s(self) -> float:
        return self.twin.sim_time_s

    def run(
        self, *, until_s: float, on_tick: Callable[[float, dict[str, Value]], None] | None = None
    ) -> Recording:
        """Advance to `until_s`, recording each tick."""
        while self.t_s < until_s - 1e-9:
            self.tick()
            if on_tick is not None:
                on_tick(self.t_s, self.recording.rows[-1])
        return self.recording

    def tick(self) -> None:
        """Apply due timeline steps, advance one poll period, record the row, events and signatures."""
        rec = self.recording
        while self._pending and self._pending[0].at_s <= self.t_s + 1e-9:
            step = self._pending.pop(0)
            apply_step(self.twin, step)
            rec.events.append(_step_event(round(self.t_s, 3), step))
            if step.inject is not None:
                self._watch(step, round(self.t_s, 3))
        if not rec.times_s:
            self._record()
        self.twin.step(TICK_S)
        self._record()

    def _watch(self, step: Step, t_s: float) -> None:
        """Start watching the signatures of the rules that name this run's causes (at the first injection)."""
        truth = self.scenario.truth
        if truth is not None:
            wanted = [r for r in (truth.root_cause, *truth.secondary) if r in SIGNATURES]
        else:
            wanted = [FAULT_RULES[step.inject]] if step.inject is not None else []
        known = {w.rule for w in self._watches}
        self._watches += [SignatureWatch(r, self.twin.params, t_s) for r in wanted if r not in known]

    def _record(self) -> None:
        rec, t = self.recording, round(self.twin.sim_time_s, 3)
        values = self.twin.values()
        down = not self.twin.link_up
        if self._last is not None:
            rec.events.extend(_plc_events(t, self._last, values))
        if down != self._link_was_down:
            rec.events.append(Event(t, EventKind.LINK_DOWN if down else EventKind.LINK_UP, "clp_eclusa"))
        self._last, self._link_was_down = values, down
        rec.times_s.append(t)
        rec.rows.append(values)
        rec.link_down.append(down)
        for watch in self._watches:
            watch.update(t, {**values, "_link_down": down})
            if watch.found_s is not None:
                rec.signatures.setdefault(watch.rule, watch.found_s)


def record(scenario: Scenario, plant: Plant, *, at_least_s: float = 0.0) -> Recording:
    """Run the whole scenario (its length, or at least `at_least_s`) and return the recording."""
    return Recorder(scenario, plant).run(until_s=scenario.length_s(at_least_s=at_least_s))
