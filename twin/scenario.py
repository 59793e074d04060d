"""Scenarios as data: seed, speed, a timeline of operations and fault injections, and the truth."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, model_validator

from lockpilot.language import Bilingual
from lockpilot.schema import Strict
from lockpilot.yamlio import load_yaml, validate
from twin import Fault
from twin.equipment import Sequence

if TYPE_CHECKING:
    from twin.model import LockTwin

SCENARIO_ID = r"^[a-z][a-z0-9_]*$"


class SequenceId(StrEnum):
    """Sequence ids of design.md section 9, with the PLC code of `comando_iniciar_sequencia`."""

    ENCHIMENTO = "enchimento"
    ESVAZIAMENTO = "esvaziamento"
    ABERTURA_COMPORTA_MONTANTE = "abertura_comporta_montante"
    ABERTURA_COMPORTA_JUSANTE = "abertura_comporta_jusante"
    FECHAMENTO_COMPORTAS = "fechamento_comportas"

    @property
    def code(self) -> int:
        """The PLC's sequence code."""
        return int(Sequence[self.name])


class Step(Strict):
    """One timeline entry: exactly one of sequence, inject, clear, command, acknowledge."""

    at_s: Annotated[float, Field(ge=0)]
    sequence: SequenceId | None = None
    inject: Fault | None = None
    params: dict[str, float | str] = Field(default_factory=dict)
    clear: Fault | None = None
    command: str | None = None
    value: float | bool | None = None
    acknowledge: bool = False

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        chosen = [self.sequence, self.inject, self.clear, self.command, self.acknowledge or None]
        if sum(x is not None for x in chosen) != 1:
            raise ValueError(
                "a timeline step takes exactly one of sequence, inject, clear, command, acknowledge"
            )
        if self.params and self.inject is None:
            raise ValueError("params only go with inject")
        return self

    def describe(self) -> str:
        """A short label for the events file and the CLI."""
        if self.sequence is not None:
            return f"sequence {self.sequence.value}"
        if self.inject is not None:
            extra = ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))
            return f"inject {self.inject.value}" + (f" ({extra})" if extra else "")
        if self.clear is not None:
            return f"clear {self.clear.value}"
        if self.command is not None:
            return f"command {self.command}={self.value}"
        return "acknowledge"


class Truth(Strict):
    """What really happened and what the operator should and must not do."""

    root_cause: str | None  # the rule id that names the root cause; None for a quiet period
    fault: Fault | None = None
    secondary: tuple[str, ...] = ()  # rule ids of a second, independent cause
    looks_like: tuple[str, ...] = ()  # process alarms a sensor fault can be mistaken for
    summary: Bilingual
    operator_should: tuple[Bilingual, ...] = ()
    must_not: tuple[Bilingual, ...] = ()
    right_actions: tuple[str, ...] = ()  # command ids of commands.yaml
    forbidden_actions: tuple[str, ...] = ()
    cause_words: tuple[str, ...] = ()  # a trainee names the cause when a message holds one of these


class Scenario(Strict):
    """A reproducible run of the twin: initial state, timeline and (for incidents) the truth."""

    id: Annotated[str, Field(pattern=SCENARIO_ID)] = "inline"
    title: Bilingual | None = None
    seed: int = 0
    speed: Annotated[float, Field(gt=0)] = 60.0
    chamber_m: float | None = None
    params: dict[str, float] = Field(default_factory=dict)
    duration_s: Annotated[float, Field(gt=0)] | None = None
    timeline: tuple[Step, ...] = ()
    truth: Truth | None = None

    def length_s(self, *, at_least_s: float = 0.0) -> float:
        """How long to run: the declared duration, else 120 s past the last step (at least `at_least_s`)."""
        last = max((s.at_s for s in self.timeline), default=0.0)
        return max(self.duration_s or last + 120.0, at_least_s)


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file (errors name file, line and field)."""
    return validate(Scenario, load_yaml(path), file=path)


def scenario_from(data: dict[str, Any]) -> Scenario:
    """An inline scenario (an eval case's `scenario:` mapping)."""
    return Scenario.model_validate(data)


def apply_step(twin: LockTwin, step: Step) -> None:
    """Carry out one timeline entry on a twin."""
    if step.sequence is not None:
        twin.command("comando_iniciar_sequencia", step.sequence.code)
    elif step.inject is not None:
        twin.inject(step.inject, **step.params)
    elif step.clear is not None:
        twin.clear(step.clear)
    elif step.command is not None:
        twin.command(step.command, True if step.value is None else step.value)
    else:
        twin.command("comando_reconhecer_falhas", True)
