"""The allow-list of commands (plants/<plant>/commands.yaml), validated against the tag map when loaded."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.language import Bilingual
from lockpilot.plant.model import DataType, Tag
from lockpilot.schema import Strict
from lockpilot.yamlio import LinedDict, line_of, load_yaml, validate


class Action(StrEnum):
    """What a command does to its target; the offline planner maps verbs to these."""

    OPEN = "open"
    CLOSE = "close"
    START = "start"
    STOP = "stop"
    SET = "set"
    ACKNOWLEDGE = "acknowledge"
    ABORT = "abort"


class Op(StrEnum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def fn(self) -> Callable[[Any, Any], bool]:
        return {
            "==": operator.eq,
            "!=": operator.ne,
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }[self.value]

    @property
    def symbol(self) -> str:
        """The comparison as an operator reads it ("≤", "≠")."""
        return {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(self.value, self.value)


def op_symbol(text: str) -> str:
    """The symbol of a comparison written "<=", ">=" ...; other text unchanged."""
    return Op(text).symbol if text in Op._value2member_map_ else text


class Direction(StrEnum):
    """Which way a feedback value must move: a valve that closes falls, one that opens rises."""

    RISES = "rises"
    FALLS = "falls"


class Condition(Strict):
    """`tag op value`: a precondition, or an end state the field must reach after a write."""

    tag: str
    op: Op = Op.EQ
    value: float | bool

    @model_validator(mode="before")
    @classmethod
    def _no_bare_change(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and ("changes_by" in data or "changes" in data):
            raise ValueError(
                "a 'changes' condition must name its direction and live under feedback.moves: "
                "{tag: ..., changes: rises|falls, by: N}; an end state is a comparison (tag op value)"
            )
        return data

    def holds(self, value: Any) -> bool:
        """Whether a live value satisfies the condition."""
        if value is None:
            return False
        return bool(self.op.fn(value, self.value))

    def text(self) -> str:
        """The condition as an operator reads it."""
        shown = str(self.value).lower() if isinstance(self.value, bool) else f"{self.value:g}"
        return f"{self.tag} {self.op.value} {shown}"


class Movement(Strict):
    """The direction a numeric feedback tag must move after the write (`by`: at least this much)."""

    tag: str
    changes: Direction
    by: Annotated[float, Field(gt=0)] = 0.5

    def moved(self, before: float, now: float) -> float:
        """How far the value went in the expected direction (negative: the wrong way)."""
        return (now - before) if self.changes is Direction.RISES else (before - now)


class TrackedValue(Strict):
    """A `set` command's end state: `tag` within `tolerance` of the value written."""

    tag: str
    tolerance: Annotated[float, Field(gt=0)]


class Feedback(Strict):
    """What the field must show after the write: the end state (any one condition) within `timeout_s`.

    `moves` names the numeric tag that travels and its direction; a move the wrong way by `by` fails early,
    and the verdict quotes where it went ("a posição subiu de 95,9 % para 100 %"). `tracks` (for `set`
    commands) says a tag must settle within this tolerance of the written value.
    """

    timeout_s: Annotated[float, Field(gt=0, le=600)] = 10.0
    hold_s: Annotated[float, Field(ge=0, le=60)] = 0.0  # the end state must last this long (re-trips)
    expect: Bilingual
    any: tuple[Condition, ...] = ()
    moves: Movement | None = None
    tracks: TrackedValue | None = None

    @model_validator(mode="after")
    def _has_end_state(self) -> Feedback:
        if not self.any and self.tracks is None:
            raise ValueError("feedback needs an end state: `any` conditions or `tracks` for a set command")
        return self

    @property
    def tags(self) -> list[str]:
        """Every tag the verification reads."""
        tags = [c.tag for c in self.any]
        tags += [m.tag for m in (self.moves, self.tracks) if m is not None]
        return list(dict.fromkeys(tags))


class RunningSequences(Strict):
    """The PLC's own sequences: a manual command on equipment a running sequence drives is overridden."""

    tag: str  # the sequence code running now (0: none)
    codes: dict[int, str]  # code -> sequence id of sequences.yaml
    drives: dict[str, tuple[str, ...]]  # sequence id -> equipment it commands while it runs
    abort_command: str  # the command an operator requests first


class EquipmentName(Strict):
    pt: str
    en: str
    aliases: tuple[str, ...] = ()
    status_tags: tuple[str, ...] = ()  # what "how is the pump?" reads


class CommandSpec(Strict):
    """One allowed command."""

    id: str
    action: Action
    target: str
    tag: str
    value: float | bool | None = None
    preconditions: tuple[Condition, ...] = ()
    feedback: Feedback | None = None
    risk: Bilingual

    @property
    def interlock_tags(self) -> list[str]:
        return [c.tag for c in self.preconditions]


class CommandBook(Strict):
    """All commands of a plant and the names of the equipment they act on."""

    equipment: dict[str, EquipmentName]
    commands: tuple[CommandSpec, ...]
    running_sequences: RunningSequences | None = None

    def overriding_sequence(self, spec: CommandSpec, code: int) -> str | None:
        """The id of the running sequence (code `code`) that drives this command's target, if any."""
        seqs = self.running_sequences
        if seqs is None or not code or spec.id == seqs.abort_command or spec.action is Action.STOP:
            return None  # a stop has priority: the PLC aborts the running sequence and stops the drive
        seq_id = seqs.codes.get(code)
        return seq_id if seq_id is not None and spec.target in seqs.drives.get(seq_id, ()) else None

    def get(self, command_id: str) -> CommandSpec | None:
        return next((c for c in self.commands if c.id == command_id), None)

    def find(self, action: Action, target: str) -> CommandSpec | None:
        return next((c for c in self.commands if c.action is action and c.target == target), None)

    def only(self, action: Action) -> CommandSpec | None:
        """The command of an action no other command shares ("rearme as falhas": the PLC's reset)."""
        found = [c for c in self.commands if c.action is action]
        return found[0] if len(found) == 1 else None


def _check(book: CommandBook, tags: Mapping[str, Tag], raw: Any, path: Path) -> list[PlantDataError]:
    errors: list[PlantDataError] = []

    def fail(i: int, field: str, message: str) -> None:
        errors.append(
            PlantDataError(
                message, file=path, line=line_of(raw, ["commands", i, field]), field=f"commands.{i}.{field}"
            )
        )

    for eq_id, names in book.equipment.items():
        for tag_name in names.status_tags:
            if tag_name not in tags:
                errors.append(
                    PlantDataError(
                        f"unknown tag '{tag_name}'",
                        file=path,
                        line=line_of(raw, ["equipment", eq_id, "status_tags"]),
                        field=f"equipment.{eq_id}.status_tags",
                    )
                )
    seen: set[str] = set()
    for i, spec in enumerate(book.commands):
        tag = tags.get(spec.tag)
        if spec.id in seen:
            fail(i, "id", f"duplicate command id '{spec.id}'")
        seen.add(spec.id)
        if spec.target not in book.equipment:
            fail(i, "target", f"unknown equipment '{spec.target}'")
        if tag is None or tag.writable is None:
            fail(i, "tag", f"'{spec.tag}' is not a writable tag")
        elif (spec.action is Action.SET) != (spec.value is None):
            fail(i, "value", "a `set` command takes its value from the user; every other command needs one")
        elif spec.action is Action.SET and tag.type is DataType.BOOL:
            fail(i, "tag", "a `set` command needs a numeric tag")
        for cond in spec.preconditions:
            if cond.tag not in tags:
                fail(i, "preconditions", f"unknown tag '{cond.tag}'")
        _check_feedback(spec, tags, functools.partial(fail, i))
    errors.extend(_check_sequences(book, tags, raw, path))
    return errors


def _check_feedback(spec: CommandSpec, tags: Mapping[str, Tag], fail: Callable[[str, str], None]) -> None:
    """Feedback tags exist; a movement or a tracked value reads a numeric tag; `set` commands track."""
    feedback = spec.feedback
    if feedback is None:
        return
    for tag_name in feedback.tags:
        if tag_name not in tags:
            fail("feedback", f"unknown tag '{tag_name}'")
    for numeric in (feedback.moves, feedback.tracks):
        tag = tags.get(numeric.tag) if numeric is not None else None
        if tag is not None and tag.type is DataType.BOOL:
            fail("feedback", f"'{tag.name}' is a bit: a movement or a tracked value needs a number")
    if feedback.tracks is not None and spec.action is not Action.SET:
        fail("feedback", "`tracks` compares with the value the user gives: only a `set` command has one")


def _check_sequences(
    book: CommandBook, tags: Mapping[str, Tag], raw: Any, path: Path
) -> list[PlantDataError]:
    seqs = book.running_sequences
    if seqs is None:
        return []
    errors = []

    def fail(field: str, message: str) -> None:
        errors.append(
            PlantDataError(
                message,
                file=path,
                line=line_of(raw, ["running_sequences", field]),
                field=f"running_sequences.{field}",
            )
        )

    if seqs.tag not in tags:
        fail("tag", f"unknown tag '{seqs.tag}'")
    if book.get(seqs.abort_command) is None:
        fail("abort_command", f"unknown command '{seqs.abort_command}'")
    for seq_id, equipment in seqs.drives.items():
        if seq_id not in seqs.codes.values():
            fail("drives", f"sequence '{seq_id}' has no code in running_sequences.codes")
        for eq in equipment:
            if eq not in book.equipment:
                fail("drives", f"unknown equipment '{eq}'")
    return errors


def load_commands(path: Path, tags: Mapping[str, Tag]) -> CommandBook:
    """Load and validate commands.yaml against the tag map; every problem names file, line and field."""
    raw = load_yaml(path)
    if not isinstance(raw, LinedDict):
        raise PlantDataError("expected a mapping with 'equipment' and 'commands'", file=path, line=1)
    book = validate(CommandBook, raw, file=path, loc=())
    errors = _check(book, tags, raw, path)
    if errors:
        raise PlantDataErrors(errors)
    return book
