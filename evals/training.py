"""Scored training sessions: a sandbox twin plays a scenario while a trainee acknowledges, diagnoses and acts.

The chat UI drives it: `start(name, trainee, clock)` for `/treino NAME`, then `session.observe(event)` for
each acknowledgement, message or approved command, and `session.report()` for the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from evals.recorder import Recorder
from evals.replay import row_batch
from lockpilot.clock import Clock
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandBook
from lockpilot.text import fold
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import EventKind as AlarmEventKind
from twin.scenario import Scenario, load_scenario

POINTS_ACK, POINTS_CAUSE, POINTS_ACTION, PENALTY_FORBIDDEN = 25, 35, 40, 25


class TraineeEventKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    MESSAGE = "message"
    COMMAND = "command"


@dataclass(frozen=True, slots=True)
class TraineeEvent:
    """Something the trainee did: acknowledged alarms, wrote a message, or had a command approved."""

    kind: TraineeEventKind
    text: str = ""
    command: str | None = None
    value: float | None = None


class TrainingReport(BaseModel):
    """What the trainer reads: times from the first alarm, actions, and a score out of 100."""

    scenario: str
    trainee: str
    root_cause: str | None
    alarm_at_s: float | None
    acknowledged_after_s: float | None = None
    cause_named_after_s: float | None = None
    right_actions: list[str] = Field(default_factory=list)
    forbidden_actions: list[str] = Field(default_factory=list)
    score: int = 0
    summary_pt: str = ""
    log: list[str] = Field(default_factory=list)


def scenarios_dir(plant: Plant) -> Path:
    """Where a plant's training scenarios live."""
    return plant.root / "scenarios"


def list_scenarios(plant: Plant) -> list[Scenario]:
    """The plant's training scenarios, by id."""
    return [load_scenario(p) for p in sorted(scenarios_dir(plant).glob("*.yaml"))]


@dataclass
class TrainingSession:
    """One trainee on one scenario; simulated time follows the clock times the scenario's speed."""

    scenario: Scenario
    trainee: str
    clock: Clock
    bundle: PlantBundle
    recorder: Recorder = field(init=False)
    engine: RulesEngine = field(init=False)
    alarm_at_s: float | None = None
    log: list[str] = field(default_factory=list)
    _acked_s: float | None = None
    _cause_s: float | None = None
    _actions: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.scenario, self.bundle.plant)
        self.engine = RulesEngine.for_bundle(self.bundle, anomalies=False)
        self.started = self.clock.now()

    @property
    def book(self) -> CommandBook:
        return self.bundle.commands

    @property
    def sim_s(self) -> float:
        return self.recorder.t_s

    def advance(self) -> list[str]:
        """Play the scenario up to the clock's time; return the rule alarms raised meanwhile."""
        target = (self.clock.now() - self.started).total_seconds() * self.scenario.speed
        raised: list[str] = []
        root = self.scenario.truth.root_cause if self.scenario.truth else None
        while self.sim_s < min(target, self.scenario.length_s()) - 1e-9:
            self.recorder.tick()
            rec = self.recorder.recording
            when = self.started + timedelta(seconds=self.sim_s)
            for e in self.engine.evaluate(row_batch(rec.rows[-1], when, link_down=rec.link_down[-1]), when):
                if e.kind is AlarmEventKind.ACTIVATED and not e.alarm_id.startswith(
                    ("anomalia.", "qualidade")
                ):
                    raised.append(e.alarm_id)
                    if e.alarm_id == root and self.alarm_at_s is None:
                        self.alarm_at_s = self.sim_s
        self.log += [f"{self.sim_s:7.1f} s  alarme {a}" for a in raised]
        return raised

    def observe(self, event: TraineeEvent) -> None:
        """Record what the trainee did (the scenario is first played up to now)."""
        self.advance()
        truth, now = self.scenario.truth, self.sim_s
        if event.kind is TraineeEventKind.ACKNOWLEDGE:
            self.recorder.twin.command("comando_reconhecer_falhas", True)
            if self.alarm_at_s is not None and self._acked_s is None:
                self._acked_s = now
        elif event.kind is TraineeEventKind.MESSAGE and truth is not None:
            named = any(fold(w) in fold(event.text) for w in truth.cause_words)
            if named and self.alarm_at_s is not None and self._cause_s is None:
                self._cause_s = now
        elif event.kind is TraineeEventKind.COMMAND and event.command is not None:
            self._apply(event.command, event.value)
            self._actions.append((now, event.command))
        self._log(event)

    def acted(self, command: str) -> None:
        """Score a command the sandbox's command path already wrote to the twin (not applied again)."""
        self.advance()
        self._actions.append((self.sim_s, command))
        self._log(TraineeEvent(TraineeEventKind.COMMAND, command=command))

    @property
    def finished(self) -> bool:
        """True once the scenario has been played to its end."""
        return self.sim_s >= self.scenario.length_s() - 1e-9

    def _log(self, event: TraineeEvent) -> None:
        now = self.sim_s
        self.log.append(f"{now:7.1f} s  {event.kind.value} {event.command or event.text}".rstrip())

    def answer(self, text: str) -> None:
        """The trainee's message (naming the cause counts from the first alarm)."""
        self.observe(TraineeEvent(TraineeEventKind.MESSAGE, text=text))

    def _apply(self, command: str, value: float | None) -> None:
        spec = self.book.get(command)
        if spec is None:
            raise KeyError(f"command '{command}' is not in commands.yaml")
        target = spec.value if value is None else value
        if target is None:
            raise ValueError(f"command '{command}' needs a value (it sets a setpoint)")
        self.recorder.twin.command(spec.tag, target)

    def report(self) -> TrainingReport:
        """The scored report for the trainer."""
        truth = self.scenario.truth
        right = [c for _, c in self._actions if truth and c in truth.right_actions]
        forbidden = [c for _, c in self._actions if truth and c in truth.forbidden_actions]

        def since(t: float | None) -> float | None:
            return None if t is None or self.alarm_at_s is None else round(t - self.alarm_at_s, 1)

        score = (
            POINTS_ACK * (self._acked_s is not None)
            + POINTS_CAUSE * (self._cause_s is not None)
            + POINTS_ACTION * bool(right)
            - PENALTY_FORBIDDEN * len(forbidden)
        )
        if truth is not None and not truth.right_actions and not forbidden:
            score += POINTS_ACTION  # nothing to do but not to make it worse
        report = TrainingReport(
            scenario=self.scenario.id,
            trainee=self.trainee,
            root_cause=truth.root_cause if truth else None,
            alarm_at_s=self.alarm_at_s,
            acknowledged_after_s=since(self._acked_s),
            cause_named_after_s=since(self._cause_s),
            right_actions=right,
            forbidden_actions=forbidden,
            score=max(0, min(100, score)),
            log=list(self.log),
        )
        report.summary_pt = _summary(report, truth.summary.pt if truth else "")
        return report


def _summary(r: TrainingReport, truth_pt: str) -> str:
    def when(x: float | None) -> str:
        return "não" if x is None else f"{x:g} s após o alarme"

    return (
        f"Treino {r.scenario} de {r.trainee}: nota {r.score}/100. "
        f"Reconhecimento: {when(r.acknowledged_after_s)}. Causa nomeada: {when(r.cause_named_after_s)}. "
        f"Ações corretas: {', '.join(r.right_actions) or 'nenhuma'}. "
        f"Ações proibidas: {', '.join(r.forbidden_actions) or 'nenhuma'}. O que aconteceu: {truth_pt}"
    )


def start(name: str, trainee: str, clock: Clock, *, bundle: PlantBundle) -> TrainingSession:
    """Open a session on the training scenario `name` (plants/<plant>/scenarios/NAME.yaml)."""
    plant = bundle.plant
    path = scenarios_dir(plant) / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(s.id for s in list_scenarios(plant))
        raise KeyError(f"no training scenario '{name}' (known: {known})")
    return TrainingSession(load_scenario(path), trainee, clock, bundle)
